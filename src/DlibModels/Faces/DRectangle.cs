using DlibModels.Imaging;

namespace DlibModels.Faces;

/// <summary>
/// dlib's <c>drectangle</c>: a rectangle with real coordinates. Like dlib, Width = Right − Left + 1
/// and Height = Bottom − Top + 1, and it is empty when Left &gt; Right or Top &gt; Bottom.
/// </summary>
/// <param name="Left">Left edge.</param>
/// <param name="Top">Top edge.</param>
/// <param name="Right">Right edge.</param>
/// <param name="Bottom">Bottom edge.</param>
public readonly record struct DRectangle(double Left, double Top, double Right, double Bottom)
{
    /// <summary>dlib's default (empty) drectangle: (0, 0, −1, −1).</summary>
    public static DRectangle Empty => new(0, 0, -1, -1);

    /// <summary>True when Left &gt; Right or Top &gt; Bottom.</summary>
    public bool IsEmpty => Top > Bottom || Left > Right;

    /// <summary>Right − Left + 1, or 0 when empty.</summary>
    public double Width => IsEmpty ? 0 : Right - Left + 1;

    /// <summary>Bottom − Top + 1, or 0 when empty.</summary>
    public double Height => IsEmpty ? 0 : Bottom - Top + 1;

    /// <summary>Width × Height.</summary>
    public double Area => Width * Height;

    /// <summary>dlib's <c>center(drect)</c>: ((l + r) / 2, (t + b) / 2).</summary>
    public (double X, double Y) Center => ((Left + Right) / 2.0, (Top + Bottom) / 2.0);

    /// <summary>An integer rectangle converted exactly.</summary>
    public static DRectangle FromRectangle(Rectangle r) => new(r.Left, r.Top, r.Right, r.Bottom);

    /// <summary>dlib's conversion to <c>rectangle</c>: each side rounded with floor(v + 0.5).</summary>
    public Rectangle ToRectangle() =>
        new((long)Math.Floor(Left + 0.5), (long)Math.Floor(Top + 0.5), (long)Math.Floor(Right + 0.5), (long)Math.Floor(Bottom + 0.5));

    /// <summary>dlib's <c>centered_drect(p, width, height)</c>.</summary>
    public static DRectangle Centered(double x, double y, double width, double height)
    {
        width--;
        height--;
        return new DRectangle(x - (width / 2), y - (height / 2), x + (width / 2), y + (height / 2));
    }

    /// <summary>The smallest rectangle holding both (dlib's <c>operator+</c>; empty operands are ignored).</summary>
    public DRectangle Union(DRectangle other)
    {
        if (other.IsEmpty)
        {
            return this;
        }

        if (IsEmpty)
        {
            return other;
        }

        return new(Math.Min(Left, other.Left), Math.Min(Top, other.Top), Math.Max(Right, other.Right), Math.Max(Bottom, other.Bottom));
    }

    /// <summary>Adds a point (dlib's <c>operator+=(dpoint)</c>).</summary>
    public DRectangle Union(double x, double y) => Union(new DRectangle(x, y, x, y));

    /// <summary>The intersection.</summary>
    public DRectangle Intersect(DRectangle other) =>
        new(Math.Max(Left, other.Left), Math.Max(Top, other.Top), Math.Min(Right, other.Right), Math.Min(Bottom, other.Bottom));

    /// <summary>dlib's <c>grow_rect(rect, num)</c>.</summary>
    public DRectangle Grow(double num) => new(Left - num, Top - num, Right + num, Bottom + num);

    /// <summary>dlib's <c>translate_rect</c>.</summary>
    public DRectangle Translate(double dx, double dy) => new(Left + dx, Top + dy, Right + dx, Bottom + dy);

    /// <inheritdoc/>
    public override string ToString() => $"[({Left}, {Top}) ({Right}, {Bottom})]";
}
