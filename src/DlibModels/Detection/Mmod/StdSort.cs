namespace DlibModels.Detection.Mmod;

/// <summary>
/// GCC libstdc++'s <c>std::sort</c> (introsort: median-of-three quicksort down to 16 elements,
/// heapsort past the depth limit, then insertion sort), reproduced step by step so that elements
/// comparing equal end up in the same order as in dlib.
/// </summary>
internal static class StdSort
{
    private const int Threshold = 16;

    /// <summary>Sorts <paramref name="a"/> so that !less(a[i+1], a[i]) for all i.</summary>
    public static void Sort<T>(IList<T> a, Func<T, T, bool> less)
    {
        int n = a.Count;
        if (n <= 1)
        {
            return;
        }

        IntroLoop(a, 0, n, 2 * Log2(n), less);
        FinalInsertionSort(a, 0, n, less);
    }

    private static int Log2(int n)
    {
        int k = 0;
        while ((n >>= 1) != 0)
        {
            k++;
        }

        return k;
    }

    private static void Swap<T>(IList<T> a, int i, int j) => (a[i], a[j]) = (a[j], a[i]);

    private static void IntroLoop<T>(IList<T> a, int first, int last, int depth, Func<T, T, bool> less)
    {
        while (last - first > Threshold)
        {
            if (depth == 0)
            {
                HeapSort(a, first, last, less);
                return;
            }

            depth--;
            int cut = PartitionPivot(a, first, last, less);
            IntroLoop(a, cut, last, depth, less);
            last = cut;
        }
    }

    private static int PartitionPivot<T>(IList<T> a, int first, int last, Func<T, T, bool> less)
    {
        int mid = first + ((last - first) / 2);
        MoveMedianToFirst(a, first, first + 1, mid, last - 1, less);
        return UnguardedPartition(a, first + 1, last, first, less);
    }

    private static void MoveMedianToFirst<T>(IList<T> a, int result, int x, int y, int z, Func<T, T, bool> less)
    {
        if (less(a[x], a[y]))
        {
            if (less(a[y], a[z]))
            {
                Swap(a, result, y);
            }
            else if (less(a[x], a[z]))
            {
                Swap(a, result, z);
            }
            else
            {
                Swap(a, result, x);
            }
        }
        else if (less(a[x], a[z]))
        {
            Swap(a, result, x);
        }
        else if (less(a[y], a[z]))
        {
            Swap(a, result, z);
        }
        else
        {
            Swap(a, result, y);
        }
    }

    private static int UnguardedPartition<T>(IList<T> a, int first, int last, int pivot, Func<T, T, bool> less)
    {
        while (true)
        {
            while (less(a[first], a[pivot]))
            {
                first++;
            }

            last--;
            while (less(a[pivot], a[last]))
            {
                last--;
            }

            if (!(first < last))
            {
                return first;
            }

            Swap(a, first, last);
            first++;
        }
    }

    private static void FinalInsertionSort<T>(IList<T> a, int first, int last, Func<T, T, bool> less)
    {
        if (last - first > Threshold)
        {
            InsertionSort(a, first, first + Threshold, less);
            for (int i = first + Threshold; i != last; i++)
            {
                UnguardedLinearInsert(a, i, less);
            }
        }
        else
        {
            InsertionSort(a, first, last, less);
        }
    }

    private static void InsertionSort<T>(IList<T> a, int first, int last, Func<T, T, bool> less)
    {
        if (first == last)
        {
            return;
        }

        for (int i = first + 1; i != last; i++)
        {
            if (less(a[i], a[first]))
            {
                T val = a[i];
                for (int j = i; j > first; j--)
                {
                    a[j] = a[j - 1];
                }

                a[first] = val;
            }
            else
            {
                UnguardedLinearInsert(a, i, less);
            }
        }
    }

    private static void UnguardedLinearInsert<T>(IList<T> a, int last, Func<T, T, bool> less)
    {
        T val = a[last];
        int next = last - 1;
        while (less(val, a[next]))
        {
            a[last] = a[next];
            last = next;
            next--;
        }

        a[last] = val;
    }

    private static void HeapSort<T>(IList<T> a, int first, int last, Func<T, T, bool> less)
    {
        // __partial_sort(first, last, last): make_heap then sort_heap.
        int len = last - first;
        if (len >= 2)
        {
            int parent = (len - 2) / 2;
            while (true)
            {
                T value = a[first + parent];
                AdjustHeap(a, first, parent, len, value, less);
                if (parent == 0)
                {
                    break;
                }

                parent--;
            }
        }

        while (last - first > 1)
        {
            last--;
            T value = a[last];
            a[last] = a[first];
            AdjustHeap(a, first, 0, last - first, value, less);
        }
    }

    private static void AdjustHeap<T>(IList<T> a, int first, int holeIndex, int len, T value, Func<T, T, bool> less)
    {
        int topIndex = holeIndex;
        int secondChild = holeIndex;
        while (secondChild < (len - 1) / 2)
        {
            secondChild = 2 * (secondChild + 1);
            if (less(a[first + secondChild], a[first + secondChild - 1]))
            {
                secondChild--;
            }

            a[first + holeIndex] = a[first + secondChild];
            holeIndex = secondChild;
        }

        if ((len & 1) == 0 && secondChild == (len - 2) / 2)
        {
            secondChild = 2 * (secondChild + 1);
            a[first + holeIndex] = a[first + secondChild - 1];
            holeIndex = secondChild - 1;
        }

        int p = (holeIndex - 1) / 2;
        while (holeIndex > topIndex && less(a[first + p], value))
        {
            a[first + holeIndex] = a[first + p];
            holeIndex = p;
            p = (holeIndex - 1) / 2;
        }

        a[first + holeIndex] = value;
    }
}
