namespace DlibModels.Dnn;

/// <summary>How a network turns images into its input tensor.</summary>
public enum InputKind
{
    /// <summary><c>input_rgb_image</c>: any size, (p − mean)/256.</summary>
    RgbImage,

    /// <summary><c>input_rgb_image_sized&lt;NR,NC&gt;</c>: a fixed size, (p − mean)/256.</summary>
    RgbImageSized,

    /// <summary><c>input_rgb_image_pyramid&lt;pyramid_down&lt;N&gt;&gt;</c>: a tiled image pyramid in one tensor.</summary>
    RgbImagePyramid,

    /// <summary><c>input&lt;matrix&lt;...&gt;&gt;</c>: raw pixel values.</summary>
    Matrix,
}

/// <summary>The input layer of a dlib network (<c>dlib/dnn/input.h</c>).</summary>
/// <param name="Kind">Which input layer.</param>
/// <param name="MeanRed">Mean subtracted from red before dividing by 256.</param>
/// <param name="MeanGreen">Mean subtracted from green.</param>
/// <param name="MeanBlue">Mean subtracted from blue.</param>
/// <param name="FixedRows">Required rows for <see cref="InputKind.RgbImageSized"/>, else 0.</param>
/// <param name="FixedCols">Required columns for <see cref="InputKind.RgbImageSized"/>, else 0.</param>
/// <param name="PyramidPadding">Padding between pyramid tiles.</param>
/// <param name="PyramidOuterPadding">Padding around the tiled pyramid.</param>
/// <param name="PyramidDownFactor">N of <c>pyramid_down&lt;N&gt;</c> (6 in the zoo).</param>
public sealed record InputLayer(
    InputKind Kind,
    float MeanRed,
    float MeanGreen,
    float MeanBlue,
    int FixedRows = 0,
    int FixedCols = 0,
    int PyramidPadding = 10,
    int PyramidOuterPadding = 11,
    int PyramidDownFactor = 6)
{
    /// <summary>dlib's text for the layer.</summary>
    public string Describe() => Kind switch
    {
        InputKind.RgbImageSized => $"input_rgb_image_sized<{FixedRows},{FixedCols}>",
        InputKind.RgbImagePyramid => $"input_rgb_image_pyramid<pyramid_down<{PyramidDownFactor}>> (avg=({MeanRed},{MeanGreen},{MeanBlue}), pyramid_padding={PyramidPadding}, pyramid_outer_padding={PyramidOuterPadding})",
        InputKind.RgbImage => "input_rgb_image",
        _ => "input<matrix>",
    };
}
