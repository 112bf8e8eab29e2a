using System.Runtime.CompilerServices;
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

            Normalize(img.Pixels, plane, means, d.AsSpan(n * 3 * plane, 3 * plane));
        }

        return t;
    }

    /// <summary>
    /// dlib's (p − mean)/256.0 per value: the difference is a float, and dividing it by 256 in
    /// double and rounding back to float is exactly multiplying it by 2⁻⁸ in float.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Normalize(byte[] px, int plane, float[] means, Span<float> dst)
    {
        if (px.Length < 3 * plane || dst.Length < 3 * plane)
        {
            throw new ArgumentException("image buffer too small");
        }

        const float Scale = 1f / 256f;
        float mr = means[0], mg = means[1], mb = means[2];
        fixed (byte* s = px)
        fixed (float* d = dst)
        {
            float* r = d, g = d + plane, b = d + (2 * plane);
            byte* p = s;
            for (int i = 0; i < plane; i++, p += 3)
            {
                r[i] = (p[0] - mr) * Scale;
                g[i] = (p[1] - mg) * Scale;
                b[i] = (p[2] - mb) * Scale;
            }
        }
    }
}
