using DlibModels.Tests.Support;

namespace DlibModels.Tests.CliBatch;

/// <summary>
/// A batch's peak memory must not grow with the number of inputs: the CLI is run as a child process
/// over 60 and over 360 links to one photo, and the larger run's peak RSS (read from the kernel) must
/// stay within 15% (or 48 MB, GC noise) of the smaller one's. Before the batch runner bounded its window, each finished
/// result kept its decoded image while it waited for its turn (8-10 MB more per 3-megapixel photo).
/// </summary>
public sealed class BoundedMemoryTests
{
    [SkippableFact]
    public void Detect_over_360_photos_needs_no_more_memory_than_over_60()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "peak RSS is read from /proc (Linux only)");
        string photo = TestPaths.SharedFile("images/faces/bald_guys.jpg");
        AssertBounded(photo, 60, 360, "detect", "--hog", "--json", "--cpus", "2");
    }

    [SkippableFact]
    public void Encode_over_360_photos_needs_no_more_memory_than_over_60()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "peak RSS is read from /proc (Linux only)");
        string net = TestPaths.Model("standin/dlib_face_recognition_resnet_model_v1.faceapi.dat.bz2");
        string sp = TestPaths.Model("standin/shape_predictor_5_face_landmarks.standin.dat.bz2");
        string photo = TestPaths.SharedFile("images/faces/2008_001322.jpg");
        AssertBounded(photo, 60, 360, "encode", "--model", net, "--landmarks", sp, "--json", "--cpus", "2");
    }

    private static void AssertBounded(string photo, int small, int large, params string[] command)
    {
        long smallPeak = PeakOver(photo, small, command);
        Assert.True(smallPeak > 0, "no peak RSS could be read");

        // The GC's heap sizing moves one run's peak by up to ~45 MB whatever the number of inputs
        // (measured for encode: 214-250 MB over the same 360 inputs, 222 MB over 1,000), which is more
        // than 15% of a ~200 MB baseline. So the allowance is 15% or 48 MB, whichever is larger, and the
        // larger batch gets three tries. Growth with the number of inputs (the bug: 8-10 MB per photo,
        // 2.5 GB more over 300 more photos) fails all three by far.
        long allowed = Math.Max((long)(smallPeak * 1.15), smallPeak + (48L << 20));
        var peaks = new List<long>();
        for (int attempt = 0; attempt < 3; attempt++)
        {
            long largePeak = PeakOver(photo, large, command);
            peaks.Add(largePeak >> 20);
            if (largePeak <= allowed)
            {
                return;
            }
        }

        Assert.Fail($"{command[0]}: peak RSS over {large} inputs ({string.Join(", ", peaks)} MB in three runs) is more than max(15%, 48 MB) above {smallPeak >> 20} MB over {small}");
    }

    private static long PeakOver(string photo, int count, string[] command)
    {
        string dir = Path.Combine(Path.GetTempPath(), "dlibmodels-mem-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            for (int i = 0; i < count; i++)
            {
                File.CreateSymbolicLink(Path.Combine(dir, $"photo{i:D4}.jpg"), photo);
            }

            string[] args = [command[0], dir, .. command[1..]];
            (int exit, string stdout, string stderr, long peak) = CliProcess.RunMeasured(args);
            Assert.True(exit == 0, $"{command[0]} exited with {exit}: {stderr}");
            Assert.Equal(count, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            return peak;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
