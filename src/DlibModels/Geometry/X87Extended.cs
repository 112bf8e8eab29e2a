namespace DlibModels.Geometry;

/// <summary>
/// A non-negative number in the x87 FPU's 80-bit extended format (64-bit significand, rounded to
/// nearest even), with just the operations OpenBLAS's x86-64 <c>dnrm2</c> kernel performs:
/// squaring a double, adding, taking the square root and storing the result as a double. That
/// kernel (<c>nrm2.S</c>) runs on the x87 stack at Linux's default extended precision, so its
/// result is the double rounding of an extended-precision sum of squares' square root; no
/// operation on <see cref="double"/> reproduces it. The value is <c>Significand · 2^Exponent</c>
/// with bit 63 of the significand set, or zero. Exponents are unbounded, which is exact for the
/// finite doubles a norm of a few elements sees (the x87 range is far wider than double's).
/// </summary>
internal readonly struct X87Extended
{
    private X87Extended(ulong significand, int exponent)
    {
        Significand = significand;
        Exponent = exponent;
    }

    /// <summary>The 64-bit significand, bit 63 set unless the value is zero.</summary>
    public ulong Significand { get; }

    /// <summary>The power of two the significand is scaled by.</summary>
    public int Exponent { get; }

    public static X87Extended Zero => default;

    /// <summary><c>fld x; fmul st(0), st</c>: the square of a finite double, rounded to 64 bits.</summary>
    public static X87Extended Square(double x)
    {
        (ulong m, int e) = Decompose(Math.Abs(x));
        return m == 0 ? Zero : Round((UInt128)m * m, 2 * e);
    }

    /// <summary><c>faddp</c> of two non-negative values, rounded to 64 bits.</summary>
    public static X87Extended operator +(X87Extended a, X87Extended b)
    {
        if (a.Significand == 0)
        {
            return b;
        }

        if (b.Significand == 0)
        {
            return a;
        }

        if (a.Exponent < b.Exponent)
        {
            (a, b) = (b, a);
        }

        // Line b up below a; bits of b that fall beyond the 127-bit window only matter as a
        // sticky bit, which sits far below the rounding position.
        int d = a.Exponent - b.Exponent;
        if (d <= 63)
        {
            return Round(((UInt128)a.Significand << d) + b.Significand, b.Exponent);
        }

        int shift = d - 63;
        ulong low = shift >= 64 ? 0 : b.Significand >> shift;
        bool lost = shift >= 64 || (b.Significand & ((1UL << shift) - 1)) != 0;
        return Round(((UInt128)a.Significand << 63) + low + (lost ? 1UL : 0UL), a.Exponent - 63);
    }

    /// <summary><c>fsqrt</c>: the correctly rounded square root.</summary>
    public X87Extended Sqrt()
    {
        if (Significand == 0)
        {
            return Zero;
        }

        // Scale the significand to N in [2^126, 2^128) by an even power of two, so that
        // floor(sqrt(N)) has exactly 64 bits; sqrt(value) = sqrt(N) · 2^((Exponent - k) / 2).
        int k = (Exponent & 1) == 0 ? 64 : 63;
        UInt128 n = (UInt128)Significand << k;
        int e = (Exponent - k) / 2;
        ulong r = ISqrt(n);

        // Round to nearest: sqrt(N) > r + 1/2 exactly when N > r² + r (N is an integer; a tie
        // is impossible).
        UInt128 rem = n - ((UInt128)r * r);
        if (rem > r)
        {
            if (r == ulong.MaxValue)
            {
                return new X87Extended(1UL << 63, e + 1);
            }

            r++;
        }

        return new X87Extended(r, e);
    }

    /// <summary><c>fstp qword</c>: the value rounded to a double (nearest even).</summary>
    public double ToDouble()
    {
        if (Significand == 0)
        {
            return 0.0;
        }

        ulong m = Significand >> 11;
        ulong rest = Significand & 0x7FF;
        int e = Exponent + 11;
        if (rest > 0x400 || (rest == 0x400 && (m & 1) == 1))
        {
            m++;
            if (m == 1UL << 53)
            {
                m >>= 1;
                e++;
            }
        }

        return Math.ScaleB(m, e);
    }

    /// <summary>A finite non-negative double as an integer significand and a power of two.</summary>
    private static (ulong Significand, int Exponent) Decompose(double x)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(x);
        int biased = (int)(bits >> 52) & 0x7FF;
        ulong frac = bits & ((1UL << 52) - 1);
        if (biased == 0x7FF)
        {
            throw new ArgumentOutOfRangeException(nameof(x), "not finite");
        }

        return biased == 0 ? (frac, -1074) : (frac | (1UL << 52), biased - 1075);
    }

    /// <summary>An exact value v·2^e rounded to a 64-bit significand, nearest even.</summary>
    private static X87Extended Round(UInt128 v, int e)
    {
        if (v == 0)
        {
            return Zero;
        }

        int bits = 128 - (int)UInt128.LeadingZeroCount(v);
        if (bits <= 64)
        {
            int up = 64 - bits;
            return new X87Extended((ulong)(v << up), e - up);
        }

        int shift = bits - 64;
        ulong m = (ulong)(v >> shift);
        UInt128 rest = v & ((UInt128.One << shift) - 1);
        UInt128 half = UInt128.One << (shift - 1);
        if (rest > half || (rest == half && (m & 1) == 1))
        {
            if (m == ulong.MaxValue)
            {
                return new X87Extended(1UL << 63, e + shift + 1);
            }

            m++;
        }

        return new X87Extended(m, e + shift);
    }

    /// <summary>floor(sqrt(n)) for n in [2^126, 2^128).</summary>
    private static ulong ISqrt(UInt128 n)
    {
        // A double estimate is within a few thousand of the root; one Newton step from above
        // and a final correction make it exact.
        double est = Math.Sqrt((double)n);
        UInt128 r = est >= 18446744073709551615.0 ? ulong.MaxValue : (UInt128)(ulong)est;
        if (r == 0)
        {
            r = 1;
        }

        r = (r + (n / r)) >> 1;
        if (r > ulong.MaxValue)
        {
            r = ulong.MaxValue;
        }

        while (r * r > n)
        {
            r--;
        }

        while (r < ulong.MaxValue && (r + 1) * (r + 1) <= n)
        {
            r++;
        }

        return (ulong)r;
    }
}
