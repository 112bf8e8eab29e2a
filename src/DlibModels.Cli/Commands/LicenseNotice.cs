namespace DlibModels.Cli.Commands;

/// <summary>Prints the licence notice of models whose terms restrict use.</summary>
internal static class LicenseNotice
{
    public const string SixtyEightPoint =
        "note: shape_predictor_68_face_landmarks was trained on the iBUG 300-W dataset, whose licence excludes commercial use; contact the dataset owners before using it commercially.";

    public static void WarnIfRestricted(string modelPath)
    {
        if (Path.GetFileName(modelPath).Contains("shape_predictor_68_face_landmarks", StringComparison.OrdinalIgnoreCase))
        {
            Console.Error.WriteLine(SixtyEightPoint);
        }
    }
}
