using DlibModels.Landmarks;

namespace DlibModels.Applications;

/// <summary>
/// Names the landmark groups of the 68- and 5-point face layouts the way face_recognition's
/// <c>face_landmarks()</c> does (chin, eyebrows, nose bridge, nose tip, eyes, lips; or eyes and nose tip).
/// </summary>
public static class LandmarkNames
{
    private static readonly (string Name, int[] Indices)[] SixtyEight =
    [
        ("chin", Range(0, 17)),
        ("left_eyebrow", Range(17, 22)),
        ("right_eyebrow", Range(22, 27)),
        ("nose_bridge", Range(27, 31)),
        ("nose_tip", Range(31, 36)),
        ("left_eye", Range(36, 42)),
        ("right_eye", Range(42, 48)),
        ("top_lip", [.. Range(48, 55), 64, 63, 62, 61, 60]),
        ("bottom_lip", [.. Range(54, 60), 48, 60, 67, 66, 65, 64]),
    ];

    private static readonly (string Name, int[] Indices)[] Five =
    [
        ("nose_tip", [4]),
        ("left_eye", [2, 3]),
        ("right_eye", [0, 1]),
    ];

    /// <summary>The named groups of a 68- or 5-point shape, in face_recognition's order.</summary>
    /// <exception cref="ArgumentException">The shape has neither 68 nor 5 parts.</exception>
    public static IReadOnlyDictionary<string, IReadOnlyList<Point>> Group(FullObjectDetection shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var layout = shape.NumParts switch
        {
            68 => SixtyEight,
            5 => Five,
            _ => throw new ArgumentException($"named landmarks exist for 68- and 5-point shapes, not {shape.NumParts}", nameof(shape)),
        };
        var groups = new Dictionary<string, IReadOnlyList<Point>>(layout.Length);
        foreach ((string name, int[] indices) in layout)
        {
            var points = new Point[indices.Length];
            for (int i = 0; i < indices.Length; i++)
            {
                points[i] = shape.Part(indices[i]);
            }

            groups[name] = points;
        }

        return groups;
    }

    private static int[] Range(int start, int end) => Enumerable.Range(start, end - start).ToArray();
}
