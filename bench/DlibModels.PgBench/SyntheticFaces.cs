namespace DlibModels.PgBench;

/// <summary>
/// Descriptors shaped like dlib's: people are random directions of norm 0.45, each face its person plus Gaussian
/// noise (0.025 per coordinate), so faces have norm about 0.53, two faces of one person lie about 0.4 apart and
/// two people about 0.75 (dlib: under 0.6 for one person).
/// </summary>
internal sealed class SyntheticFaces
{
    private const float CenterNorm = 0.45f;
    private const float Noise = 0.025f;
    private readonly float[][] _centers;
    private readonly Random _rng;

    public SyntheticFaces(int people, int seed)
    {
        _rng = new Random(seed);
        _centers = new float[people][];
        for (int p = 0; p < people; p++)
        {
            float[] c = Gaussian(1f);
            float norm = MathF.Sqrt(c.Sum(x => x * x));
            for (int i = 0; i < c.Length; i++)
            {
                c[i] *= CenterNorm / norm;
            }

            _centers[p] = c;
        }
    }

    /// <summary>A new face of a random person.</summary>
    public float[] Next() => Next(_rng.Next(_centers.Length));

    /// <summary>A new face of person <paramref name="person"/>.</summary>
    public float[] Next(int person)
    {
        float[] d = Gaussian(Noise);
        float[] c = _centers[person];
        for (int i = 0; i < d.Length; i++)
        {
            d[i] += c[i];
        }

        return d;
    }

    private float[] Gaussian(float sigma)
    {
        var v = new float[128];
        for (int i = 0; i < v.Length; i++)
        {
            // Box-Muller.
            double u1 = 1.0 - _rng.NextDouble(), u2 = _rng.NextDouble();
            v[i] = (float)(sigma * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        return v;
    }
}
