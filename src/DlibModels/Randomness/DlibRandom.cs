using System.Globalization;

namespace DlibModels.Randomness;

/// <summary>
/// A port of <c>dlib::rand</c>: a 32-bit Mersenne twister (MT19937) that is seeded with 5489 (or
/// from a seed string) and then skips its first 10000 outputs, with dlib's conversions to
/// doubles, floats, Gaussians and integer ranges. The same seed gives the same sequence as dlib.
/// </summary>
/// <remarks>Not thread-safe: each instance holds mutable generator state.</remarks>
public sealed class DlibRandom
{
    private const int N = 624;
    private const int M = 397;
    private const double MaxVal = (((double)0xFFFFFF * 0x1000000) + 0xFFFFFF) + 0.05;

    private const double DoubleEpsilon = 2.220446049250313e-16;
    private const float FloatEpsilon = 1.1920929e-07f;

    private readonly uint[] _x = new uint[N];
    private int _i;
    private bool _hasGaussian;
    private double _nextGaussian;

    /// <summary>dlib's default-constructed <c>dlib::rand</c> (seed "").</summary>
    public DlibRandom()
    {
        SetSeed(string.Empty);
    }

    /// <summary>dlib's <c>rand(seed_string)</c>.</summary>
    public DlibRandom(string seed)
    {
        SetSeed(seed);
    }

    /// <summary>dlib's <c>rand(time_t)</c>: the number is turned into its decimal string and used as the seed.</summary>
    public DlibRandom(long seed)
    {
        SetSeed(seed.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The current seed string ("" for the default seed).</summary>
    public string Seed { get; private set; } = string.Empty;

    /// <summary>
    /// dlib's <c>set_seed</c>: an empty string seeds the twister with 5489; otherwise with
    /// s = s·37 + byte over the string's bytes (UTF-8; bytes ≥ 128 are sign-extended as a signed
    /// <c>char</c>). The first 10000 outputs are then discarded and the cached Gaussian dropped.
    /// </summary>
    public void SetSeed(string seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        Seed = seed;
        uint s = 5489;
        if (seed.Length != 0)
        {
            s = 0;
            foreach (byte b in System.Text.Encoding.UTF8.GetBytes(seed))
            {
                s = unchecked((s * 37) + (uint)(sbyte)b);
            }
        }

        SeedTwister(s);
        for (int k = 0; k < 10000; k++)
        {
            Next();
        }

        _hasGaussian = false;
        _nextGaussian = 0;
    }

    /// <summary>dlib's <c>get_random_32bit_number</c>: the next twister output.</summary>
    public uint GetRandom32BitNumber() => Next();

    /// <summary>dlib's <c>get_random_8bit_number</c>: the low byte of the next output.</summary>
    public byte GetRandom8BitNumber() => (byte)Next();

    /// <summary>dlib's <c>get_random_16bit_number</c>: the low 16 bits of the next output.</summary>
    public ushort GetRandom16BitNumber() => (ushort)Next();

    /// <summary>dlib's <c>get_random_64bit_number</c>: two outputs, the first in the high half.</summary>
    public ulong GetRandom64BitNumber()
    {
        ulong a = Next();
        ulong b = Next();
        return (a << 32) | b;
    }

    /// <summary>dlib's <c>get_random_double</c>: 48 random bits (low 24 bits of two outputs) scaled into [0, 1).</summary>
    public double GetRandomDouble()
    {
        double val = Next() & 0xFFFFFF;
        val *= 0x1000000;
        val += Next() & 0xFFFFFF;
        val /= MaxVal;
        return val < 1.0 ? val : 1.0 - DoubleEpsilon;
    }

    /// <summary>dlib's <c>get_random_float</c>: 24 random bits scaled into [0, 1).</summary>
    public float GetRandomFloat()
    {
        const float scale = (float)(1.0 / 0x1000000);
        float val = (Next() & 0xFFFFFF) * scale;
        return val < 1.0f ? val : 1.0f - FloatEpsilon;
    }

    /// <summary>dlib's <c>get_double_in_range(begin, end)</c>.</summary>
    public double GetDoubleInRange(double begin, double end) => begin + (GetRandomDouble() * (end - begin));

    /// <summary>dlib's <c>get_integer_in_range(begin, end)</c>: uniform in [begin, end) by rejection sampling on 64-bit draws.</summary>
    public long GetIntegerInRange(long begin, long end)
    {
        if (end < begin)
        {
            throw new ArgumentOutOfRangeException(nameof(end), "end must not be less than begin");
        }

        if (begin == end)
        {
            return begin;
        }

        ulong r = GetRandom64BitNumber();
        ulong range = unchecked((ulong)(end - begin));
        while (r >= (ulong.MaxValue / range) * range)
        {
            r = GetRandom64BitNumber();
        }

        return unchecked(begin + (long)(r % range));
    }

    /// <summary>dlib's <c>get_integer(end)</c>: uniform in [0, end).</summary>
    public long GetInteger(long end) => GetIntegerInRange(0, end);

    /// <summary>dlib's <c>get_random_gaussian</c>: polar Box–Muller; the second value of each pair is cached for the next call.</summary>
    public double GetRandomGaussian()
    {
        if (_hasGaussian)
        {
            _hasGaussian = false;
            return _nextGaussian;
        }

        (double re, double im) = GetRandomComplexGaussian();
        _nextGaussian = im;
        _hasGaussian = true;
        return re;
    }

    /// <summary>dlib's <c>get_random_complex_gaussian</c> as (real, imaginary).</summary>
    public (double Real, double Imaginary) GetRandomComplexGaussian()
    {
        const double rndmax = uint.MaxValue;
        double x1, x2, w;
        do
        {
            double rnd1 = Next() / rndmax;
            double rnd2 = Next() / rndmax;
            x1 = (2.0 * rnd1) - 1.0;
            x2 = (2.0 * rnd2) - 1.0;
            w = (x1 * x1) + (x2 * x2);
        }
        while (w >= 1.0);

        w = Math.Sqrt(-2.0 * Math.Log(w) / w);
        return (x1 * w, x2 * w);
    }

    private void SeedTwister(uint value)
    {
        _x[0] = value;
        for (int k = 1; k < N; k++)
        {
            _x[k] = unchecked((1812433253u * (_x[k - 1] ^ (_x[k - 1] >> 30))) + (uint)k);
        }

        _i = N;
    }

    private uint Next()
    {
        if (_i >= N)
        {
            Twist();
        }

        uint z = _x[_i++];
        z ^= z >> 11;
        z ^= (z << 7) & 0x9d2c5680u;
        z ^= (z << 15) & 0xefc60000u;
        z ^= z >> 18;
        return z;
    }

    private void Twist()
    {
        const uint upper = 0x80000000u, lower = 0x7fffffffu, a = 0x9908b0dfu;
        for (int k = 0; k < N; k++)
        {
            uint y = (_x[k] & upper) | (_x[(k + 1) % N] & lower);
            _x[k] = _x[(k + M) % N] ^ (y >> 1) ^ ((y & 1) != 0 ? a : 0u);
        }

        _i = 0;
    }
}
