using System.Text.Json;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Cli;

/// <summary><c>dlib-models hipsterize</c> and <c>classify</c> run as child processes against dlibref's goldens.</summary>
[Collection(CliCollection.Name)]
public sealed class HipsterizeClassifyCommandTests
{
    private const string Hipsterizer = "standin/mmod_human_hipsterizer.standin.dat.bz2";
    private const string ResNet = "standin/resnet34_1000_imagenet_classifier.random.dnn.bz2";

    /// <summary>The written PNG equals dlib's drawn image pixel for pixel; the JSON line carries dlib's boxes and parts.</summary>
    [SkippableFact]
    public void Hipsterize_writes_dlibs_image()
    {
        string model = TestPaths.Model(Hipsterizer);
        string output = Path.Combine(Path.GetTempPath(), $"dlibmodels-hipster-{Guid.NewGuid():N}.png");
        try
        {
            (int code, string stdout, string stderr) = CliProcess.Run("hipsterize", TestPaths.SharedFile("images/faces/2008_001322.jpg"), output, "--model", model, "--json");
            Assert.True(code == 0, stderr);
            RgbImage got = ImageFile.LoadRgb(output);
            RgbImage want = ImageFile.LoadRgb(TestPaths.SharedFile("reference/hipster/2008_001322.png"));
            Assert.Equal((want.Rows, want.Cols), (got.Rows, got.Cols));
            Assert.True(want.Pixels.AsSpan().SequenceEqual(got.Pixels), "drawn image differs from dlib's");

            using JsonDocument golden = JsonDocument.Parse(File.ReadAllText(TestPaths.SharedFile("reference/hipsterize_2008_001322.json")));
            JsonElement[] expected = golden.RootElement.GetProperty("results")[0].GetProperty("detections").EnumerateArray().ToArray();
            using JsonDocument line = JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single());
            JsonElement[] dets = line.RootElement.GetProperty("detections").EnumerateArray().ToArray();
            Assert.Equal(expected.Length, dets.Length);
            for (int i = 0; i < dets.Length; i++)
            {
                Assert.Equal(expected[i].GetProperty("rect").ToString(), dets[i].GetProperty("rect").ToString());
                Assert.Equal(expected[i].GetProperty("parts").ToString(), dets[i].GetProperty("parts").ToString());
            }
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>Center crops: per image the top 5 labels (index and name) and probabilities within 1e-4 of dlib's.</summary>
    [SkippableFact]
    public void Classify_center_matches_dlib()
    {
        string model = TestPaths.Model(ResNet);
        using JsonDocument golden = JsonDocument.Parse(File.ReadAllText(TestPaths.SharedFile("reference/classify_center.json")));
        JsonElement[] results = golden.RootElement.GetProperty("results").EnumerateArray().Take(3).ToArray();
        var args = new List<string> { "classify" };
        args.AddRange(results.Select(r => TestPaths.SharedFile(r.GetProperty("image").GetString()!)));
        args.AddRange(["--model", model, "--mode", "center", "--top", "5", "--json"]);
        (int code, string stdout, string stderr) = CliProcess.Run([.. args]);
        Assert.True(code == 0, stderr);
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(results.Length, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            using JsonDocument doc = JsonDocument.Parse(lines[i]);
            Assert.EndsWith(results[i].GetProperty("image").GetString()!, doc.RootElement.GetProperty("image").GetString()!, StringComparison.Ordinal);
            JsonElement[] want = results[i].GetProperty("top").EnumerateArray().Take(5).ToArray();
            JsonElement[] got = doc.RootElement.GetProperty("top").EnumerateArray().ToArray();
            Assert.Equal(5, got.Length);
            for (int k = 0; k < 5; k++)
            {
                Assert.Equal(want[k].GetProperty("index").GetInt32(), got[k].GetProperty("index").GetInt32());
                Assert.Equal(want[k].GetProperty("label").GetString(), got[k].GetProperty("label").GetString());
                Assert.InRange(Math.Abs(want[k].GetProperty("p").GetDouble() - got[k].GetProperty("p").GetDouble()), 0, 1e-4);
            }
        }
    }

    /// <summary>A hipsterizer file given to classify is refused with a message naming the file.</summary>
    [SkippableFact]
    public void Classify_with_the_wrong_model_fails_clearly()
    {
        string model = TestPaths.Model(Hipsterizer);
        (int code, _, string stderr) = CliProcess.Run("classify", TestPaths.SharedFile("images/faces/2008_001322.jpg"), "--model", model, "--mode", "center");
        Assert.NotEqual(0, code);
        Assert.Contains("mmod_human_hipsterizer", stderr, StringComparison.Ordinal);
    }
}
