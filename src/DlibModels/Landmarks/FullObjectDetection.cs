using DlibModels.Imaging;

namespace DlibModels.Landmarks;

/// <summary>An integer image point (dlib's <c>point</c>): <see cref="X"/> is the column, <see cref="Y"/> the row.</summary>
/// <param name="X">Column.</param>
/// <param name="Y">Row.</param>
public readonly record struct Point(long X, long Y)
{
    /// <summary>dlib's conversion of a real point to an integer one: floor(v + 0.5) per coordinate.</summary>
    public static Point Round(double x, double y) => new((long)Math.Floor(x + 0.5), (long)Math.Floor(y + 0.5));

    /// <inheritdoc/>
    public override string ToString() => $"({X}, {Y})";
}

/// <summary>
/// dlib's <c>full_object_detection</c>: the box an object was found in and the positions of its
/// parts, rounded to integers exactly as dlib rounds them.
/// </summary>
public sealed class FullObjectDetection
{
    private readonly Point[] _parts;

    /// <summary>Creates a detection; the parts array is copied.</summary>
    public FullObjectDetection(Rectangle rect, IReadOnlyList<Point> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        Rect = rect;
        _parts = new Point[parts.Count];
        for (int i = 0; i < _parts.Length; i++)
        {
            _parts[i] = parts[i];
        }
    }

    internal FullObjectDetection(Rectangle rect, Point[] parts, bool noCopy)
    {
        _ = noCopy;
        Rect = rect;
        _parts = parts;
    }

    /// <summary>The box given to the predictor.</summary>
    public Rectangle Rect { get; }

    /// <summary>The parts, in the model's order.</summary>
    public IReadOnlyList<Point> Parts => _parts;

    /// <summary>Number of parts.</summary>
    public int NumParts => _parts.Length;

    /// <summary>Part <paramref name="index"/>.</summary>
    public Point Part(int index) => _parts[index];
}
