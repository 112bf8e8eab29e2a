namespace DlibModels.Imaging;

/// <summary>
/// dlib's <c>rectangle</c>: integer <see cref="Left"/>, <see cref="Top"/>, <see cref="Right"/>,
/// <see cref="Bottom"/>, all inclusive, so Width = Right − Left + 1. Empty when Right &lt; Left or Bottom &lt; Top.
/// </summary>
public readonly record struct Rectangle(long Left, long Top, long Right, long Bottom)
{
    /// <summary>Width (0 when empty).</summary>
    public long Width => IsEmpty ? 0 : Right - Left + 1;

    /// <summary>Height (0 when empty).</summary>
    public long Height => IsEmpty ? 0 : Bottom - Top + 1;

    /// <summary>Area (0 when empty).</summary>
    public long Area => Width * Height;

    /// <summary>True when the rectangle holds no pixel.</summary>
    public bool IsEmpty => Right < Left || Bottom < Top;

    /// <summary>The intersection of two rectangles.</summary>
    public Rectangle Intersect(Rectangle other) =>
        new(Math.Max(Left, other.Left), Math.Max(Top, other.Top), Math.Min(Right, other.Right), Math.Min(Bottom, other.Bottom));

    /// <summary>The smallest rectangle holding both (dlib's <c>operator+</c>).</summary>
    public Rectangle Union(Rectangle other)
    {
        if (IsEmpty)
        {
            return other;
        }

        if (other.IsEmpty)
        {
            return this;
        }

        return new(Math.Min(Left, other.Left), Math.Min(Top, other.Top), Math.Max(Right, other.Right), Math.Max(Bottom, other.Bottom));
    }

    /// <summary>dlib's <c>center(rect)</c>: integer centre, rounding like dlib.</summary>
    public (long X, long Y) Center => ((Left + Right + 1) / 2, (Top + Bottom + 1) / 2);

    /// <inheritdoc/>
    public override string ToString() => $"[({Left}, {Top}) ({Right}, {Bottom})]";
}
