using System.Runtime.CompilerServices;
using DlibModels.Geometry;
using DlibModels.Imaging;
using DlibModels.Landmarks;

namespace DlibModels.Faces;

/// <summary>
/// dlib's face alignment and chip extraction: <c>get_face_chip_details</c>,
/// <c>extract_image_chips</c> and <c>extract_image_chip</c> (bilinear interpolation with the
/// <c>pyramid_down&lt;2&gt;</c> path for strong downscaling).
/// </summary>
public static class FaceChips
{
    private static readonly double[] Ref5X = [0.8595674595992, 0.6460604764104, 0.1205750620789, 0.3340850613712, 0.4901123135679];
    private static readonly double[] Ref5Y = [0.2134981538014, 0.2289674387677, 0.2137274526848, 0.2290642403242, 0.6277975316475];

    // Mean positions of the 68-point parts 17..67 in a unit face box.
    private static readonly double[] Mean68X =
    [
        0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124,
        0.904991, 0.98004, 0.490127, 0.490127, 0.490127, 0.490127, 0.36688, 0.426036,
        0.490127, 0.554217, 0.613373, 0.121737, 0.187122, 0.265825, 0.334606, 0.260918,
        0.182743, 0.645647, 0.714428, 0.793132, 0.858516, 0.79751, 0.719335, 0.254149,
        0.340985, 0.428858, 0.490127, 0.551395, 0.639268, 0.726104, 0.642159, 0.556721,
        0.490127, 0.423532, 0.338094, 0.290379, 0.428096, 0.490127, 0.552157, 0.689874,
        0.553364, 0.490127, 0.42689,
    ];

    private static readonly double[] Mean68Y =
    [
        0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891,
        0.0187482, 0.038915, 0.106454, 0.203352, 0.307009, 0.409805, 0.515625, 0.587326,
        0.609345, 0.628106, 0.609345, 0.587326, 0.216423, 0.178758, 0.179852, 0.231733,
        0.245099, 0.244077, 0.231733, 0.179852, 0.178758, 0.216423, 0.244077, 0.245099,
        0.780233, 0.745405, 0.727388, 0.742578, 0.727388, 0.745405, 0.780233, 0.864805,
        0.902192, 0.909281, 0.902192, 0.864805, 0.784792, 0.778746, 0.785343, 0.778746,
        0.784792, 0.824182, 0.831803, 0.824182,
    ];

    /// <summary>
    /// dlib's <c>get_face_chip_details(det, size, padding)</c> for a 5- or 68-point face shape: the
    /// similarity transform that puts the landmarks on dlib's reference face in a
    /// <paramref name="size"/>×<paramref name="size"/> chip with <paramref name="padding"/>
    /// (dlib's defaults are 200 and 0.2; its face recognition example uses 150 and 0.25).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ChipDetails GetFaceChipDetails(FullObjectDetection det, int size = 200, double padding = 0.2)
    {
        ArgumentNullException.ThrowIfNull(det);
        if (det.NumParts != 68 && det.NumParts != 5)
        {
            throw new ArgumentException($"get_face_chip_details needs a 5 or 68 point shape, got {det.NumParts} parts", nameof(det));
        }

        if (!(padding >= 0) || size <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), $"size must be positive and padding non-negative (size {size}, padding {padding})");
        }

        Span<(double X, double Y)> from = stackalloc (double X, double Y)[51];
        Span<(double X, double Y)> to = stackalloc (double X, double Y)[51];
        int n = 0;
        double den = (2 * padding) + 1;
        if (det.NumParts == 5)
        {
            // dlib writes this as (padding + p) / den on a point, which its matrix expressions
            // evaluate as a multiplication by 1 / den (the 68-point branch divides scalars).
            double invDen = 1.0 / den;
            for (int i = 0; i < 5; i++, n++)
            {
                from[n] = ((padding + Ref5X[i]) * invDen * size, (padding + Ref5Y[i]) * invDen * size);
                to[n] = (det.Part(i).X, det.Part(i).Y);
            }
        }
        else
        {
            for (int i = 17; i < 68; i++)
            {
                if ((i >= 55 && i <= 59) || (i >= 65 && i <= 67) || (i >= 17 && i <= 26))
                {
                    continue;
                }

                from[n] = ((padding + Mean68X[i - 17]) / den * size, (padding + Mean68Y[i - 17]) / den * size);
                to[n] = (det.Part(i).X, det.Part(i).Y);
                n++;
            }
        }

        return FromTransform(SimilarityTransform.Find(from[..n], to[..n]), size, size);
    }

    /// <summary>
    /// dlib's <c>chip_details(chip_points, img_points, dims)</c>: the chip whose similarity transform
    /// best maps <paramref name="chipPoints"/> to <paramref name="imagePoints"/>.
    /// </summary>
    public static ChipDetails FromPointCorrespondences(IReadOnlyList<(double X, double Y)> chipPoints, IReadOnlyList<(double X, double Y)> imagePoints, int rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(chipPoints);
        ArgumentNullException.ThrowIfNull(imagePoints);
        if (chipPoints.Count != imagePoints.Count || chipPoints.Count < 2)
        {
            throw new ArgumentException("need at least two point pairs, as many chip points as image points");
        }

        return FromTransform(SimilarityTransform.Find(chipPoints, imagePoints), rows, cols);
    }

    /// <summary>The chip of a chip-to-image similarity transform: its angle, scale and the image point of the chip's centre.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ChipDetails FromTransform(Affine tform, int rows, int cols)
    {
        double px = tform.M00 * 1.0;
        px += tform.M01 * 0.0;
        double py = tform.M10 * 1.0;
        py += tform.M11 * 0.0;
        double angle = Math.Atan2(py, px);
        double scale = Math.Sqrt((px * px) + (py * py));
        (double cx, double cy) = tform.Apply(cols / 2.0, rows / 2.0);
        DRectangle rect = DRectangle.Centered(cx, cy, cols * scale, rows * scale);
        return new ChipDetails(rect, angle, rows, cols);
    }

    /// <summary>dlib's <c>extract_image_chip</c> with bilinear interpolation.</summary>
    public static RgbImage ExtractImageChip(RgbImage image, ChipDetails location)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(location);
        return ChipExtractor.Extract(image, [location])[0];
    }

    /// <summary>
    /// dlib's <c>extract_image_chips</c> with bilinear interpolation. As in dlib, the
    /// <c>pyramid_down&lt;2&gt;</c> images used for strongly downscaled chips are built over the
    /// bounding box of all requested chips, so a chip can depend on the others in the call.
    /// </summary>
    public static RgbImage[] ExtractImageChips(RgbImage image, IReadOnlyList<ChipDetails> locations)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(locations);
        return ChipExtractor.Extract(image, locations);
    }
}
