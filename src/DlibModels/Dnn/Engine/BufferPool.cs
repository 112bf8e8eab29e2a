namespace DlibModels.Dnn.Engine;

/// <summary>
/// A small process-wide pool of large float arrays so that warm inference paths do not allocate.
/// Arrays are handed out uninitialized; a rented array is at least as long as requested and at most
/// about twice as long. The pool keeps at most <see cref="MaxRetainedFloats"/> floats.
/// </summary>
internal static class BufferPool
{
    /// <summary>The most floats kept alive by the pool (128 Mi floats = 512 MiB).</summary>
    internal const long MaxRetainedFloats = 1L << 27;

    private static readonly List<float[]> Free = new();
    private static readonly object Gate = new();
    private static long retained;

    /// <summary>Rents an array of at least <paramref name="length"/> floats (contents undefined).</summary>
    public static float[] Rent(long length)
    {
        if (length > Array.MaxLength)
        {
            throw new InvalidOperationException($"tensor of {length} floats is too large");
        }

        int n = (int)Math.Max(length, 16);
        lock (Gate)
        {
            int best = -1;
            for (int i = 0; i < Free.Count; i++)
            {
                int len = Free[i].Length;
                if (len >= n && len <= (2L * n) + 4096 && (best < 0 || len < Free[best].Length))
                {
                    best = i;
                }
            }

            if (best >= 0)
            {
                float[] a = Free[best];
                Free.RemoveAt(best);
                retained -= a.Length;
                return a;
            }
        }

        return GC.AllocateUninitializedArray<float>(n);
    }

    /// <summary>Gives an array back to the pool.</summary>
    public static void Return(float[]? array)
    {
        if (array is null)
        {
            return;
        }

        lock (Gate)
        {
            Free.Add(array);
            retained += array.Length;
            while (retained > MaxRetainedFloats && Free.Count > 0)
            {
                int smallest = 0;
                for (int i = 1; i < Free.Count; i++)
                {
                    if (Free[i].Length < Free[smallest].Length)
                    {
                        smallest = i;
                    }
                }

                retained -= Free[smallest].Length;
                Free.RemoveAt(smallest);
            }
        }
    }

    /// <summary>Drops every pooled array (for tests and memory-sensitive callers).</summary>
    public static void Clear()
    {
        lock (Gate)
        {
            Free.Clear();
            retained = 0;
        }
    }
}
