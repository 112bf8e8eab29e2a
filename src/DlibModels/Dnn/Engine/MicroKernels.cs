using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DlibModels.Dnn.Engine;

/// <summary>Where the micro-kernels find the B row (the patch values) of tap k.</summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
internal interface IRowSource<TSelf>
    where TSelf : struct, IRowSource<TSelf>
{
    /// <summary>The first of the block's columns in tap k's row.</summary>
    unsafe float* Row(int k);

    /// <summary>The same rows, starting <paramref name="columns"/> columns further right.</summary>
    TSelf Shift(int columns);
}

/// <summary>A packed patch matrix: tap k's row starts k·ldb floats after the block.</summary>
internal readonly unsafe struct StridedRows(float* block, int ldb) : IRowSource<StridedRows>
{
    public float* Row(int k) => block + ((long)k * ldb);

    public StridedRows Shift(int columns) => new(block + columns, ldb);
}

/// <summary>Patches read in place from a padded input: tap k's row starts off[k] floats after the block.</summary>
internal readonly unsafe struct OffsetRows(float* block, int* offsets) : IRowSource<OffsetRows>
{
    public float* Row(int k) => block + offsets[k];

    public OffsetRows Shift(int columns) => new(block + columns, offsets);
}

/// <summary>
/// The convolution GEMM's register blocks: C[i][j] = Σ_k A[k][i]·B_k[j] for 6 broadcast lanes (A
/// packed tap by tap, 6 per tap: filters, or pixels when a layer has few) and 16 or 32 vector
/// columns. Every output is one fused multiply-add chain over k in increasing order starting from
/// zero, whichever block or vector width computes it, so all of them give identical floats..
/// </summary>
internal static class MicroKernels
{
    /// <summary>Filters per block (the packing's lane count).</summary>
    public const int Filters = 6;

    /// <summary>6 filters × 32 columns with 512-bit registers; C is 6 rows of 32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Block6x32<TRows>(float* a, TRows rows, int kSize, float* c)
        where TRows : struct, IRowSource<TRows>
    {
        Vector512<float> c00 = Vector512<float>.Zero, c01 = Vector512<float>.Zero;
        Vector512<float> c10 = Vector512<float>.Zero, c11 = Vector512<float>.Zero;
        Vector512<float> c20 = Vector512<float>.Zero, c21 = Vector512<float>.Zero;
        Vector512<float> c30 = Vector512<float>.Zero, c31 = Vector512<float>.Zero;
        Vector512<float> c40 = Vector512<float>.Zero, c41 = Vector512<float>.Zero;
        Vector512<float> c50 = Vector512<float>.Zero, c51 = Vector512<float>.Zero;

        for (int k = 0; k < kSize; k++)
        {
            float* b = rows.Row(k);
            Vector512<float> b0 = Avx512F.LoadVector512(b);
            Vector512<float> b1 = Avx512F.LoadVector512(b + 16);
            Vector512<float> av = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(av, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(av, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(av, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(av, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(av, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(av, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(av, b1, c51);
            a += Filters;
        }

        Store6(c, 32, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
    }

    /// <summary>6 filters × 16 columns with 256-bit registers; C is 6 rows of 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Block6x16<TRows>(float* a, TRows rows, int kSize, float* c)
        where TRows : struct, IRowSource<TRows>
    {
        Vector256<float> c00 = Vector256<float>.Zero, c01 = Vector256<float>.Zero;
        Vector256<float> c10 = Vector256<float>.Zero, c11 = Vector256<float>.Zero;
        Vector256<float> c20 = Vector256<float>.Zero, c21 = Vector256<float>.Zero;
        Vector256<float> c30 = Vector256<float>.Zero, c31 = Vector256<float>.Zero;
        Vector256<float> c40 = Vector256<float>.Zero, c41 = Vector256<float>.Zero;
        Vector256<float> c50 = Vector256<float>.Zero, c51 = Vector256<float>.Zero;

        for (int k = 0; k < kSize; k++)
        {
            float* b = rows.Row(k);
            Vector256<float> b0 = Avx.LoadVector256(b);
            Vector256<float> b1 = Avx.LoadVector256(b + 8);
            Vector256<float> av = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(av, b0, c00);
            c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(av, b0, c10);
            c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(av, b0, c20);
            c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(av, b0, c30);
            c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(av, b0, c40);
            c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(av, b0, c50);
            c51 = Fma.MultiplyAdd(av, b1, c51);
            a += Filters;
        }

        Store6(c, 16, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
    }

    /// <summary>
    /// 12 filters (two packed panels of 6) × 16 columns with 512-bit registers, for blocks of at most
    /// 16 columns (the end of a tile, small late layers); C is 12 rows of 16.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Block12x16<TRows>(float* a, float* a2, TRows rows, int kSize, float* c)
        where TRows : struct, IRowSource<TRows>
    {
        Vector512<float> c0 = Vector512<float>.Zero, c1 = Vector512<float>.Zero, c2 = Vector512<float>.Zero;
        Vector512<float> c3 = Vector512<float>.Zero, c4 = Vector512<float>.Zero, c5 = Vector512<float>.Zero;
        Vector512<float> c6 = Vector512<float>.Zero, c7 = Vector512<float>.Zero, c8 = Vector512<float>.Zero;
        Vector512<float> c9 = Vector512<float>.Zero, c10 = Vector512<float>.Zero, c11 = Vector512<float>.Zero;
        for (int k = 0; k < kSize; k++)
        {
            Vector512<float> b = Avx512F.LoadVector512(rows.Row(k));
            c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), b, c0);
            c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), b, c1);
            c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), b, c2);
            c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), b, c3);
            c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[4]), b, c4);
            c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[5]), b, c5);
            c6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[0]), b, c6);
            c7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[1]), b, c7);
            c8 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[2]), b, c8);
            c9 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[3]), b, c9);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[4]), b, c10);
            c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[5]), b, c11);
            a += Filters;
            a2 += Filters;
        }

        Store6(c, 32, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11);
    }

    /// <summary>6 filters × 16 columns with 512-bit registers (a lone last panel of a narrow block); C is 6 rows of 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Block6x16Wide<TRows>(float* a, TRows rows, int kSize, float* c)
        where TRows : struct, IRowSource<TRows>
    {
        Vector512<float> c0 = Vector512<float>.Zero, c1 = Vector512<float>.Zero, c2 = Vector512<float>.Zero;
        Vector512<float> c3 = Vector512<float>.Zero, c4 = Vector512<float>.Zero, c5 = Vector512<float>.Zero;

        for (int k = 0; k < kSize; k++)
        {
            Vector512<float> b = Avx512F.LoadVector512(rows.Row(k));
            c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), b, c0);
            c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), b, c1);
            c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), b, c2);
            c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), b, c3);
            c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[4]), b, c4);
            c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[5]), b, c5);
            a += Filters;
        }

        c0.Store(c);
        c1.Store(c + 16);
        c2.Store(c + 32);
        c3.Store(c + 48);
        c4.Store(c + 64);
        c5.Store(c + 80);
    }

    /// <summary>
    /// The first 2 filters of a panel × 64 columns with 512-bit registers, for a last panel that
    /// holds only 1 or 2 filters (8 accumulators instead of a mostly empty 6 × 32 block); C is 2
    /// rows of 64.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Block2x64<TRows>(float* a, TRows rows, int kSize, float* c)
        where TRows : struct, IRowSource<TRows>
    {
        Vector512<float> c00 = Vector512<float>.Zero, c01 = Vector512<float>.Zero, c02 = Vector512<float>.Zero, c03 = Vector512<float>.Zero;
        Vector512<float> c10 = Vector512<float>.Zero, c11 = Vector512<float>.Zero, c12 = Vector512<float>.Zero, c13 = Vector512<float>.Zero;
        for (int k = 0; k < kSize; k++)
        {
            float* b = rows.Row(k);
            Vector512<float> b0 = Avx512F.LoadVector512(b);
            Vector512<float> b1 = Avx512F.LoadVector512(b + 16);
            Vector512<float> b2 = Avx512F.LoadVector512(b + 32);
            Vector512<float> b3 = Avx512F.LoadVector512(b + 48);
            Vector512<float> av = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(av, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(av, b1, c01);
            c02 = Avx512F.FusedMultiplyAdd(av, b2, c02);
            c03 = Avx512F.FusedMultiplyAdd(av, b3, c03);
            av = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(av, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(av, b1, c11);
            c12 = Avx512F.FusedMultiplyAdd(av, b2, c12);
            c13 = Avx512F.FusedMultiplyAdd(av, b3, c13);
            a += Filters;
        }

        c00.Store(c);
        c01.Store(c + 16);
        c02.Store(c + 32);
        c03.Store(c + 48);
        c10.Store(c + 64);
        c11.Store(c + 80);
        c12.Store(c + 96);
        c13.Store(c + 112);
    }

    /// <summary>The portable 6 × 16 block (separate multiply and add, as the scalar fallback always did).</summary>
    public static unsafe void BlockScalar<TRows>(float* a, TRows rows, int kSize, float* c)
        where TRows : struct, IRowSource<TRows>
    {
        const int Cols = 16;
        for (int i = 0; i < Filters * Cols; i++)
        {
            c[i] = 0f;
        }

        for (int k = 0; k < kSize; k++)
        {
            float* b = rows.Row(k);
            for (int i = 0; i < Filters; i++)
            {
                float av = a[i];
                float* ci = c + (i * Cols);
                for (int j = 0; j < Cols; j++)
                {
                    ci[j] += av * b[j];
                }
            }

            a += Filters;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store6<TVec>(float* c, int cols, TVec r00, TVec r01, TVec r10, TVec r11, TVec r20, TVec r21, TVec r30, TVec r31, TVec r40, TVec r41, TVec r50, TVec r51)
        where TVec : unmanaged
    {
        int half = cols / 2;
        Unsafe.WriteUnaligned(c, r00);
        Unsafe.WriteUnaligned(c + half, r01);
        Unsafe.WriteUnaligned(c + cols, r10);
        Unsafe.WriteUnaligned(c + cols + half, r11);
        Unsafe.WriteUnaligned(c + (2 * cols), r20);
        Unsafe.WriteUnaligned(c + (2 * cols) + half, r21);
        Unsafe.WriteUnaligned(c + (3 * cols), r30);
        Unsafe.WriteUnaligned(c + (3 * cols) + half, r31);
        Unsafe.WriteUnaligned(c + (4 * cols), r40);
        Unsafe.WriteUnaligned(c + (4 * cols) + half, r41);
        Unsafe.WriteUnaligned(c + (5 * cols), r50);
        Unsafe.WriteUnaligned(c + (5 * cols) + half, r51);
    }
}
