using System.Text.Json;

namespace DlibModels.Cli.Commands.Index;

/// <summary>
/// Descriptors shaped like real ones for benchmarks: people are points around the mean descriptor
/// with a spread that gives the typical distance between two people, faces are points around their
/// person with a spread that gives the typical distance between two photos of one person. The three
/// figures come from dlib's descriptors in <c>../shared/reference/descriptors_chips.json</c>
/// (12 chips of 3 people) when that file is found, else from dlib's documented ranges.
/// </summary>
internal sealed class SyntheticDescriptors
{
    private readonly float[] _mean;
    private readonly double _betweenSigma;
    private readonly double _withinSigma;
    private readonly Random _random;

    private SyntheticDescriptors(float[] mean, double samePersonDistance, double otherPersonDistance, int seed)
    {
        _mean = mean;

        // For independent Gaussian offsets in d dimensions, E|a - b| ≈ sigma * sqrt(2d).
        double scale = Math.Sqrt(2.0 * mean.Length);
        _withinSigma = samePersonDistance / scale;
        _betweenSigma = Math.Sqrt(Math.Max(0, (otherPersonDistance * otherPersonDistance) - (samePersonDistance * samePersonDistance))) / scale;
        _random = new Random(seed);
        Source = "defaults";
    }

    /// <summary>Where the shape came from.</summary>
    public string Source { get; private init; }

    /// <summary>Mean distance between two faces of one person.</summary>
    public double SamePersonDistance { get; private init; }

    /// <summary>Mean distance between faces of two people.</summary>
    public double OtherPersonDistance { get; private init; }

    public static SyntheticDescriptors Create(int seed = 1)
    {
        string? shared = Environment.GetEnvironmentVariable("DLIB_SHARED_DIR");
        string[] candidates = [.. new[] { shared, "../shared", "../../shared" }.Where(p => p is not null).Select(p => Path.Combine(p!, "reference", "descriptors_chips.json"))];
        foreach (string file in candidates)
        {
            if (File.Exists(file) && TryMeasure(file, out float[] mean, out double same, out double other))
            {
                return new SyntheticDescriptors(mean, same, other, seed) { Source = file, SamePersonDistance = same, OtherPersonDistance = other };
            }
        }

        // dlib: same person typically 0.3-0.5 apart, different people 0.7-1.0.
        return new SyntheticDescriptors(new float[128], 0.4, 0.9, seed) { SamePersonDistance = 0.4, OtherPersonDistance = 0.9 };
    }

    /// <summary>A new person's centre.</summary>
    public float[] NewPerson()
    {
        var c = new float[_mean.Length];
        for (int i = 0; i < c.Length; i++)
        {
            c[i] = _mean[i] + (float)(_betweenSigma * Gaussian());
        }

        return c;
    }

    /// <summary>A face of the person with centre <paramref name="person"/>.</summary>
    public float[] FaceOf(float[] person)
    {
        var f = new float[person.Length];
        for (int i = 0; i < f.Length; i++)
        {
            f[i] = person[i] + (float)(_withinSigma * Gaussian());
        }

        return f;
    }

    private double Gaussian()
    {
        double u1 = 1.0 - _random.NextDouble(), u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static bool TryMeasure(string file, out float[] mean, out double same, out double other)
    {
        mean = [];
        same = other = 0;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(file));
            var people = new List<string>();
            var descriptors = new List<float[]>();
            foreach (JsonElement r in doc.RootElement.GetProperty("results").EnumerateArray())
            {
                descriptors.Add([.. r.GetProperty("descriptor").EnumerateArray().Select(v => v.GetSingle())]);
                people.Add(Path.GetFileName(Path.GetDirectoryName(r.GetProperty("image").GetString()) ?? string.Empty));
            }

            if (descriptors.Count < 4)
            {
                return false;
            }

            mean = new float[descriptors[0].Length];
            foreach (float[] d in descriptors)
            {
                for (int i = 0; i < mean.Length; i++)
                {
                    mean[i] += d[i] / descriptors.Count;
                }
            }

            double sameSum = 0, otherSum = 0;
            int sameCount = 0, otherCount = 0;
            for (int a = 0; a < descriptors.Count; a++)
            {
                for (int b = a + 1; b < descriptors.Count; b++)
                {
                    double d = Search.FaceIndex.Distance(descriptors[a], descriptors[b]);
                    if (people[a] == people[b])
                    {
                        sameSum += d;
                        sameCount++;
                    }
                    else
                    {
                        otherSum += d;
                        otherCount++;
                    }
                }
            }

            if (sameCount == 0 || otherCount == 0)
            {
                return false;
            }

            same = sameSum / sameCount;
            other = otherSum / otherCount;
            return true;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            return false;
        }
    }
}
