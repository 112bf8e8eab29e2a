namespace DlibModels.Geometry;

/// <summary>dlib's <c>point_transform_affine</c>: p ↦ M·p + B, evaluated in dlib's order.</summary>
internal readonly record struct Affine(double M00, double M01, double M10, double M11, double B0, double B1)
{
    public (double X, double Y) Apply(double x, double y)
    {
        double tx = M00 * x;
        tx += M01 * y;
        double ty = M10 * x;
        ty += M11 * y;
        return (tx + B0, ty + B1);
    }

    /// <summary>
    /// dlib's <c>find_affine_transform</c> for three point pairs: the exact solution, computed as
    /// Q·P⁻¹ with the inverse of the from-points matrix rounded to doubles.
    /// </summary>
    public static Affine FromThreePoints(
        (double X, double Y) f0, (double X, double Y) f1, (double X, double Y) f2,
        (double X, double Y) t0, (double X, double Y) t1, (double X, double Y) t2)
    {
        // P = [[f0x f1x f2x],[f0y f1y f2y],[1 1 1]]; inverse by cofactors.
        double a = f0.X, b = f1.X, c = f2.X;
        double d = f0.Y, e = f1.Y, f = f2.Y;
        double det = (a * (e - f)) - (b * (d - f)) + (c * (d - e));
        // inv = adj(P) / det; rows of inv correspond to the three points.
        double i00 = (e - f) / det, i01 = (c - b) / det, i02 = ((b * f) - (c * e)) / det;
        double i10 = (f - d) / det, i11 = (a - c) / det, i12 = ((c * d) - (a * f)) / det;
        double i20 = (d - e) / det, i21 = (b - a) / det, i22 = ((a * e) - (b * d)) / det;

        // m = Q * inv, Q = [[t0x t1x t2x],[t0y t1y t2y]], summed left to right as dlib does.
        double m00 = (t0.X * i00) + (t1.X * i10) + (t2.X * i20);
        double m01 = (t0.X * i01) + (t1.X * i11) + (t2.X * i21);
        double b0 = (t0.X * i02) + (t1.X * i12) + (t2.X * i22);
        double m10 = (t0.Y * i00) + (t1.Y * i10) + (t2.Y * i20);
        double m11 = (t0.Y * i01) + (t1.Y * i11) + (t2.Y * i21);
        double b1 = (t0.Y * i02) + (t1.Y * i12) + (t2.Y * i22);
        return new Affine(m00, m01, m10, m11, b0, b1);
    }

    /// <summary>dlib's <c>rotate_point(center, p, angle)</c>.</summary>
    public static (double X, double Y) RotatePoint(double cx, double cy, double px, double py, double sin, double cos)
    {
        double x = px - cx;
        double y = py - cy;
        double rx = (cos * x) - (sin * y);
        double ry = (sin * x) + (cos * y);
        return (rx + cx, ry + cy);
    }
}
