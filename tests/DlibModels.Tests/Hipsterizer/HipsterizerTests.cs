using System.Text.Json;
using DlibModels.Hipsterizer;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Tests.Support;
using Xunit.Abstractions;

namespace DlibModels.Tests.Hipsterizer;

/// <summary>dnn_mmod_dog_hipsterizer with the human stand-in file, against dlibref's hipsterize goldens and PNGs.</summary>
public sealed class HipsterizerTests(ITestOutputHelper output)
{
    private const string Model = "standin/mmod_human_hipsterizer.standin.dat.bz2";

    private static readonly Lazy<DogHipsterizer> Hipster = new(() => DogHipsterizer.Load(TestPaths.Model(Model)));

    /// <summary>Detections, the 6 parts, and the drawn image (checksum and the reference PNG) equal dlib's.</summary>
    [SkippableTheory]
    [InlineData("2008_001322")]
    [InlineData("bald_guys")]
    public void Drawn_image_matches_dlib(string name)
    {
        TestPaths.Model(Model);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(TestPaths.SharedFile($"reference/hipsterize_{name}.json")));
        JsonElement glassesSize = doc.RootElement.GetProperty("glasses_size_as_stored");
        Assert.Equal(glassesSize[0].GetInt32(), Hipster.Value.StoredGlasses.Cols);
        Assert.Equal(glassesSize[1].GetInt32(), Hipster.Value.StoredGlasses.Rows);
        JsonElement mustacheSize = doc.RootElement.GetProperty("mustache_size_as_stored");
        Assert.Equal(mustacheSize[0].GetInt32(), Hipster.Value.StoredMustache.Cols);
        Assert.Equal(mustacheSize[1].GetInt32(), Hipster.Value.StoredMustache.Rows);

        JsonElement result = doc.RootElement.GetProperty("results")[0];
        RgbImage img = ImageFile.LoadRgb(TestPaths.SharedFile(result.GetProperty("image").GetString()!));
        RgbImage drawn = Hipster.Value.Hipsterize(img, out IReadOnlyList<HipsterFace> faces);
        JsonElement[] expected = result.GetProperty("detections").EnumerateArray().ToArray();
        Assert.Equal(expected.Length, faces.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            JsonElement r = expected[i].GetProperty("rect");
            Assert.Equal(new Rectangle(r.GetProperty("left").GetInt64(), r.GetProperty("top").GetInt64(), r.GetProperty("right").GetInt64(), r.GetProperty("bottom").GetInt64()), faces[i].Detection.Rect);
            Assert.Equal(expected[i].GetProperty("detection_confidence").GetDouble(), faces[i].Detection.Confidence, 1e-4);
            long[][] parts = expected[i].GetProperty("parts").EnumerateArray().Select(p => p.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
            Assert.Equal(6, faces[i].Shape.NumParts);
            for (int j = 0; j < 6; j++)
            {
                Assert.Equal((parts[j][0], parts[j][1]), (faces[i].Shape.Part(j).X, faces[i].Shape.Part(j).Y));
            }
        }

        RgbImage want = ImageFile.LoadRgb(TestPaths.SharedFile($"reference/hipster/{name}.png"));
        Assert.Equal((want.Rows, want.Cols), (drawn.Rows, drawn.Cols));
        int differing = 0, worst = 0;
        for (int k = 0; k < want.Pixels.Length; k++)
        {
            int d = Math.Abs(want.Pixels[k] - drawn.Pixels[k]);
            if (d != 0)
            {
                differing++;
                worst = Math.Max(worst, d);
            }
        }

        output.WriteLine($"{name}: {faces.Count} faces, {differing} differing values, max difference {worst}");
        Assert.Equal(0, differing);
        JsonElement pixels = result.GetProperty("output_pixels");
        Assert.Equal(pixels.GetProperty("rows").GetInt32(), drawn.Rows);
        Assert.Equal(pixels.GetProperty("cols").GetInt32(), drawn.Cols);
        (long sr, long sg, long sb) = ImageChecksums.SumRgb(drawn);
        Assert.Equal(pixels.GetProperty("sum_rgb").EnumerateArray().Select(v => v.GetInt64()).ToArray(), new[] { sr, sg, sb });
        Assert.Equal(pixels.GetProperty("fnv1a64").GetString(), ImageChecksums.Fnv1a64(drawn).ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
        Assert.NotEqual(ImageChecksums.Fnv1a64(img), ImageChecksums.Fnv1a64(drawn));
    }

    /// <summary>The overlays are pyramid_up'ed to dlib's pyramid_down&lt;2&gt; upsampled size.</summary>
    [SkippableFact]
    public void Overlays_are_upsampled()
    {
        TestPaths.Model(Model);
        (int rows, int cols) = PyramidUp.UpSize(Hipster.Value.StoredGlasses.Rows, Hipster.Value.StoredGlasses.Cols);
        Assert.Equal((rows, cols), (Hipster.Value.Glasses.Rows, Hipster.Value.Glasses.Cols));
        (rows, cols) = PyramidUp.UpSize(Hipster.Value.StoredMustache.Rows, Hipster.Value.StoredMustache.Cols);
        Assert.Equal((rows, cols), (Hipster.Value.Mustache.Rows, Hipster.Value.Mustache.Cols));
    }

    /// <summary>dlib's rgb_alpha blend: copy at alpha 255, fixed-point with unsigned wrap-around otherwise.</summary>
    [Fact]
    public void Alpha_blending_is_dlibs_fixed_point()
    {
        var img = new RgbImage(1, 1, [200, 10, 100]);
        Drawing.BlendPixel(img, 0, 0, 50, 250, 100, 128);
        // red: (50-200) as uint * 128 >> 8, low byte added with wrap: 200 + 181 = 381 -> 125
        int dest = 200, src = 50;
        uint t = unchecked((uint)(src - dest) * 128) >> 8;
        Assert.Equal(unchecked((byte)(200 + (byte)(t & 0xFF))), img.Pixels[0]);
        Assert.Equal((byte)(10 + (240 * 128 >> 8)), img.Pixels[1]);
        Assert.Equal(100, img.Pixels[2]);
        Drawing.BlendPixel(img, 0, 0, 1, 2, 3, 255);
        Assert.Equal(new byte[] { 1, 2, 3 }, img.Pixels);
        Drawing.BlendPixel(img, 0, 0, 90, 90, 90, 0);
        Assert.Equal(new byte[] { 1, 2, 3 }, img.Pixels);
    }

    /// <summary>The wireframe draws green pixels along the landmarks.</summary>
    [SkippableFact]
    public void Wireframe_draws_lines()
    {
        TestPaths.Model(Model);
        RgbImage img = ImageFile.LoadRgb(TestPaths.SharedFile("images/faces/2008_001322.jpg"));
        RgbImage plain = Hipster.Value.Hipsterize(img, out IReadOnlyList<HipsterFace> faces);
        RgbImage wired = Hipster.Value.Hipsterize(img, out _, wireframe: true);
        Assert.NotEmpty(faces);
        Assert.NotEqual(ImageChecksums.Fnv1a64(plain), ImageChecksums.Fnv1a64(wired));
        DlibModels.Landmarks.Point nose = faces[0].Shape.Part(3);
        int o = (int)(((nose.Y * img.Cols) + nose.X) * 3);
        Assert.Equal(255, wired.Pixels[o + 1]);
    }
}
