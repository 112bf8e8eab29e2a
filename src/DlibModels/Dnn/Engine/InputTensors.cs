using DlibModels.Imaging;

namespace DlibModels.Dnn.Engine;

/// <summary>Builds a network's input tensor from images, like the <c>to_tensor</c> of dlib's input layers.</summary>
public static class InputTensors
{
    /// <summary>
    /// <c>input_rgb_image</c> / <c>input_rgb_image_sized</c>: one sample per image, channels R, G, B,
    /// each value (p − mean)/256. All images must have the same size (the layer's fixed size for the sized kind).
    /// </summary>
    public static Tensor FromRgbImages(InputLayer input, IReadOnlyList<RgbImage> images)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
        {
            throw new ArgumentException("at least one image is needed", nameof(images));
        }

        if (input.Kind is not (InputKind.RgbImage or InputKind.RgbImageSized))
        {
            throw new ArgumentException($"input layer {input.Describe()} does not take plain RGB images", nameof(input));
        }

        int rows = images[0].Rows;
        int cols = images[0].Cols;
        if (input.Kind == InputKind.RgbImageSized && (rows != input.FixedRows || cols != input.FixedCols))
        {
            throw new ArgumentException($"the network needs {input.FixedCols}x{input.FixedRows} images, got {cols}x{rows}", nameof(images));
        }

        var t = new Tensor(images.Count, 3, rows, cols);
        float[] d = t.Buffer;
        float[] means = { input.MeanRed, input.MeanGreen, input.MeanBlue };
        int plane = rows * cols;
        for (int n = 0; n < images.Count; n++)
        {
            RgbImage img = images[n];
            if (img.Rows != rows || img.Cols != cols)
            {
                t.Dispose();
                throw new ArgumentException("all images in one batch must have the same size", nameof(images));
            }

            byte[] px = img.Pixels;
            for (int ch = 0; ch < 3; ch++)
            {
                float mean = means[ch];
                int o = ((n * 3) + ch) * plane;
                for (int i = 0, s = ch; i < plane; i++, s += 3)
                {
                    d[o + i] = (float)((px[s] - mean) / 256.0);
                }
            }
        }

        return t;
    }
}
