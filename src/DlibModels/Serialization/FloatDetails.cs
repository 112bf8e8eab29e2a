namespace DlibModels.Serialization;

/// <summary>
/// dlib's portable floating point representation: value = mantissa · 2^exponent, with three
/// reserved exponents for +inf, -inf and NaN (<c>dlib/float_details.h</c>).
/// </summary>
internal static class FloatDetails
{
    public const short PositiveInfinity = 32000;
    public const short NegativeInfinity = 32001;
    public const short NaN = 32002;

    public static double ToDouble(long mantissa, short exponent, bool isFloat)
    {
        if (exponent < PositiveInfinity)
        {
            // dlib computes ldexp((T)mantissa, exponent) in the target type.
            if (isFloat)
            {
                return MathF.ScaleB((float)mantissa, exponent);
            }

            return Math.ScaleB(mantissa, exponent);
        }

        return exponent switch
        {
            PositiveInfinity => double.PositiveInfinity,
            NegativeInfinity => double.NegativeInfinity,
            _ => double.NaN,
        };
    }

    public static (long Mantissa, short Exponent) FromDouble(double value, int digits)
    {
        if (double.IsPositiveInfinity(value))
        {
            return (0, PositiveInfinity);
        }

        if (double.IsNegativeInfinity(value))
        {
            return (0, NegativeInfinity);
        }

        if (double.IsNaN(value))
        {
            return (0, NaN);
        }

        (double fraction, int exp) = Frexp(value);
        long mantissa = (long)(fraction * (1UL << digits));
        int exponent = exp - digits;
        for (int i = 0; i < 8 && (mantissa & 0xFF) == 0; i++)
        {
            mantissa >>= 8;
            exponent += 8;
        }

        return (mantissa, (short)exponent);
    }

    private static (double Fraction, int Exponent) Frexp(double value)
    {
        if (value == 0 || double.IsNaN(value) || double.IsInfinity(value))
        {
            return (value, 0);
        }

        int exponent = Math.ILogB(value) + 1;
        double fraction = Math.ScaleB(value, -exponent);
        return (fraction, exponent);
    }
}
