#include <dlib/geometry.h>
#include <dlib/matrix.h>
#include <cstdio>
#include <cstring>
#include <cstdint>
#include <iostream>
#include <random>
#include <string>
using namespace dlib;
// Prints what dlib 19.24 computes in find_affine_transform for the cases in dlib_affine_cases.txt
// (doubles as hex bits). Input lines: "aff fx0 fy0 fx1 fy1 fx2 fy2 tx0 ty0 tx1 ty1 tx2 ty2", the
// three from and to points. Each is answered by a line "=" followed by the bits of
//   u (3x3, row-major), w (3), v (3x3): svd3(P) as pinv_helper calls it, P = [x; y; 1] of the from points,
//   pinv(P) (3x3, row-major), and the transform: m00 m01 m10 m11 b0 b1.
// "./cases gen SEED COUNT" writes seeded random chip cases instead (see gen() below).
// Build and run with the goldens' BLAS:
//   g++ -std=c++17 -O3 dlib_affine_cases.cpp -o cases $(pkg-config --cflags --libs dlib-1)
//   grep -v '^=' dlib_affine_cases.txt > in.txt
//   OPENBLAS_CORETYPE=Zen OPENBLAS_NUM_THREADS=1 LD_LIBRARY_PATH=<OpenBLAS 0.3.21 openblas-pthread dir> ./cases < in.txt > out.txt
//   paste -d'\n' in.txt out.txt > dlib_affine_cases.txt
// The cases: first the from/to points ChipExtractor passes to find_affine_transform while the
// FaceChipTests and ImageNetClassifierTests run (the golden chips of ../shared/reference/chips_*.json,
// translated into the pyramid's bounding box and level, and the classify_* center and full crops),
// then a few degenerate chip sizes (1 row or column), then "./cases gen 19 300". With the reference
// BLAS and LAPACK instead of OpenBLAS almost every output line differs.
static double rd() { std::string h; std::cin >> h; uint64_t b = std::stoull(h, nullptr, 16); double d; memcpy(&d, &b, 8); return d; }
static void pb(double d) { uint64_t b; memcpy(&b, &d, 8); printf(" %016llx", (unsigned long long)b); }

// One chip as extract_image_chips maps it: from = the chip's tl, tr and bl corners, to = the
// rectangle's corners rotated about its centre by angle.
static void chip(const drectangle& rect, double angle, long rows, long cols)
{
    const rectangle cr(0, 0, cols - 1, rows - 1);
    const dpoint f[3] = {cr.tl_corner(), cr.tr_corner(), cr.bl_corner()};
    const dpoint t[3] = {rotate_point<double>(center(rect), rect.tl_corner(), angle),
                         rotate_point<double>(center(rect), rect.tr_corner(), angle),
                         rotate_point<double>(center(rect), rect.bl_corner(), angle)};
    printf("aff");
    for (const dpoint& p : f) { pb(p.x()); pb(p.y()); }
    for (const dpoint& p : t) { pb(p.x()); pb(p.y()); }
    printf("\n");
}

static void gen(unsigned long seed, int count)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u01(0, 1);
    auto ri = [&](long lo, long hi) { return lo + (long)(rng() % (unsigned long)(hi - lo + 1)); };
    for (int i = 0; i < count; i++) {
        const int kind = i % 5;
        long rows = ri(1, 300), cols = kind == 4 ? rows : ri(1, 300);
        if (kind == 0) {
            // Rotated face-chip-like rectangles with non-integer corners.
            double l = u01(rng) * 1000 - 100, t = u01(rng) * 800 - 100, s = 1 + u01(rng) * 400;
            chip(drectangle(l, t, l + s, t + s), (u01(rng) * 2 - 1) * 3.2, rows, rows);
        } else if (kind == 1) {
            // Arbitrary rectangles and angles.
            double l = u01(rng) * 1200 - 200, t = u01(rng) * 1200 - 200;
            chip(drectangle(l, t, l + u01(rng) * 600, t + u01(rng) * 600), (u01(rng) * 2 - 1) * 3.2, rows, cols);
        } else if (kind == 2) {
            // Angle 0, integer rectangles (ImageNet-style crops of whole images or centred squares).
            long w = ri(1, 1000), h = ri(1, 1000);
            if (rng() % 2) { long s = std::min(w, h); chip(drectangle(rectangle((w - s) / 2, (h - s) / 2, (w - s) / 2 + s - 1, (h - s) / 2 + s - 1)), 0, 227, 227); }
            else chip(drectangle(rectangle(0, 0, w - 1, h - 1)), 0, rows, cols);
        } else if (kind == 3) {
            // Near-identity: angle 0, the rectangle one pixel off the chip size or slightly shifted.
            double l = ri(-50, 500) + (rng() % 3 ? 0.0 : u01(rng)), t = ri(-50, 500) + (rng() % 3 ? 0.0 : u01(rng));
            chip(drectangle(l, t, l + cols - 1 + ri(-2, 2), t + rows - 1 + ri(-2, 2)), rng() % 4 ? 0.0 : (u01(rng) - 0.5) * 1e-3, rows, cols);
        } else {
            // Small angles, square chips.
            double l = u01(rng) * 500, t = u01(rng) * 500, s = 1 + u01(rng) * 300;
            chip(drectangle(l, t, l + s, t + s), (u01(rng) - 0.5) * 0.6, rows, cols);
        }
    }
}

int main(int argc, char** argv)
{
    if (argc == 4 && std::string(argv[1]) == "gen") { gen(std::stoul(argv[2]), std::stoi(argv[3])); return 0; }
    std::string kind;
    while (std::cin >> kind) {
        if (kind != "aff") { std::string rest; std::getline(std::cin, rest); continue; }
        std::vector<dpoint> f(3), t(3);
        for (auto& p : f) { p.x() = rd(); p.y() = rd(); }
        for (auto& p : t) { p.x() = rd(); p.y() = rd(); }
        // The matrix pinv(P) decomposes, with the types pinv_helper gives svd3.
        matrix<double, 3, 0> P(3, 3);
        for (int i = 0; i < 3; i++) { P(0, i) = f[i].x(); P(1, i) = f[i].y(); P(2, i) = 1; }
        matrix<double, 3, 0> u;
        matrix<double, 0, 1> w;
        matrix<double, 0, 0> v;
        svd3(P, u, w, v);
        const matrix<double, 0, 3> pi = pinv(P);
        const point_transform_affine tf = find_affine_transform(f, t);
        printf("=");
        for (long r = 0; r < 3; r++) for (long c = 0; c < 3; c++) pb(u(r, c));
        for (long r = 0; r < 3; r++) pb(w(r));
        for (long r = 0; r < 3; r++) for (long c = 0; c < 3; c++) pb(v(r, c));
        for (long r = 0; r < 3; r++) for (long c = 0; c < 3; c++) pb(pi(r, c));
        for (double x : {tf.get_m()(0, 0), tf.get_m()(0, 1), tf.get_m()(1, 0), tf.get_m()(1, 1), tf.get_b().x(), tf.get_b().y()}) pb(x);
        printf("\n");
    }
}
