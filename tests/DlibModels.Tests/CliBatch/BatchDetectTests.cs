using System.Text.Json;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.CliBatch;

/// <summary>The CLI over a folder of 20 images, one of them corrupt, run as a separate process.</summary>
public sealed class BatchDetectTests
{
    [Fact]
    public void A_corrupt_image_is_reported_and_skipped_and_every_good_image_is_processed()
    {
        string dir = Path.Combine(Path.GetTempPath(), "dlibmodels-batch-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(dir, "nested"));
        try
        {
            string[] sources = Directory.GetFiles(TestPaths.SharedFile("images/faces"), "*.jpg")
                .Concat(Directory.GetFiles(TestPaths.SharedFile("images/johns"), "*.jpg", SearchOption.AllDirectories))
                .Order(StringComparer.Ordinal)
                .Take(19)
                .ToArray();
            Assert.Equal(19, sources.Length);
            for (int i = 0; i < sources.Length; i++)
            {
                string target = Path.Combine(dir, i % 2 == 0 ? "nested" : string.Empty, $"img{i:D2}.jpg");
                File.Copy(sources[i], target);
            }

            byte[] head = File.ReadAllBytes(sources[0]).AsSpan(0, 300).ToArray();
            File.WriteAllBytes(Path.Combine(dir, "broken.jpg"), head);

            (int exit, string stdout, string stderr) = CliProcess.Run("detect", dir, "--json", "--cpus", "2");

            Assert.Equal(2, exit);
            Assert.Contains("broken.jpg", stderr);
            string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(19, lines.Length);
            var images = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("image").GetString()!).ToList();
            Assert.DoesNotContain(images, p => p.EndsWith("broken.jpg", StringComparison.Ordinal));
            Assert.Equal(images.Order(StringComparer.Ordinal), images);
            Assert.Equal(19, images.Distinct().Count());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Missing_model_names_the_fetch_command()
    {
        (int exit, _, string stderr) = CliProcess.Run("detect", "nothing.jpg", "--model", "no_such_model_xyz");
        Assert.Equal(1, exit);
        Assert.Contains("dlib-models models fetch no_such_model_xyz", stderr);
    }
}
