namespace DlibModels.Faces;

/// <summary>
/// dlib's <c>chip_details</c>: where a chip lies in an image (<see cref="Rect"/>, rotated by
/// <see cref="Angle"/> radians about its centre) and the chip's size in pixels.
/// </summary>
/// <param name="Rect">The (unrotated) rectangle in the image.</param>
/// <param name="Angle">Rotation angle in radians.</param>
/// <param name="Rows">Chip height in pixels.</param>
/// <param name="Cols">Chip width in pixels.</param>
public sealed record ChipDetails(DRectangle Rect, double Angle, int Rows, int Cols)
{
    /// <summary>Rows × Cols.</summary>
    public long Size => (long)Rows * Cols;

    /// <summary>
    /// dlib's <c>chip_details(rect, size, angle)</c>: chooses rows and cols with about
    /// <paramref name="size"/> pixels in total and the rectangle's aspect ratio.
    /// </summary>
    public static ChipDetails FromSize(DRectangle rect, long size, double angle = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        long rows, cols;
        if (rect.IsEmpty)
        {
            rows = cols = (long)Math.Round(Math.Sqrt(size));
        }
        else
        {
            double relative = Math.Sqrt(size / rect.Area);
            rows = (long)((rect.Height * relative) + 0.5);
            cols = (long)((size / (double)rows) + 0.5);
            rows = Math.Max(1, rows);
            cols = Math.Max(1, cols);
        }

        return new ChipDetails(rect, angle, checked((int)rows), checked((int)cols));
    }
}
