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
