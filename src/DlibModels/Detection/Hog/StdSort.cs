namespace DlibModels.Detection.Hog;

/// <summary>
/// The introsort of GCC 12's libstdc++ <c>std::sort</c> (median-of-three quicksort, heapsort
/// fallback, final insertion sort with threshold 16), so that elements that compare equal end up
/// in the same order as in dlib. dlib sorts detections with std::sort, which is not stable.
/// </summary>
internal static class StdSort
{
    private const int Threshold = 16;

    /// <summary>std::sort(v.rbegin(), v.rend(), less): sorts the reversed view ascending.</summary>
    public static void SortReversed<T>(T[] v, Func<T, T, bool> less)
    {
        Array.Reverse(v);
        Sort(v, less);
        Array.Reverse(v);
    }

    /// <summary>std::sort(v.begin(), v.end(), less).</summary>
    public static void Sort<T>(T[] v, Func<T, T, bool> less)
    {
        int n = v.Length;
        if (n == 0)
        {
            return;
        }

        IntrosortLoop(v, 0, n, Lg(n) * 2, less);
        FinalInsertionSort(v, 0, n, less);
    }

    private static int Lg(int n) => 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)n);

    private static void IntrosortLoop<T>(T[] v, int first, int last, int depthLimit, Func<T, T, bool> less)
    {
        while (last - first > Threshold)
        {
            if (depthLimit == 0)
            {
                HeapSort(v, first, last, less);
                return;
            }

            depthLimit--;
            int cut = UnguardedPartitionPivot(v, first, last, less);
            IntrosortLoop(v, cut, last, depthLimit, less);
            last = cut;
        }
    }

    private static int UnguardedPartitionPivot<T>(T[] v, int first, int last, Func<T, T, bool> less)
    {
        int mid = first + ((last - first) / 2);
        MoveMedianToFirst(v, first, first + 1, mid, last - 1, less);
        return UnguardedPartition(v, first + 1, last, first, less);
    }

    private static void MoveMedianToFirst<T>(T[] v, int result, int a, int b, int c, Func<T, T, bool> less)
    {
        if (less(v[a], v[b]))
        {
            if (less(v[b], v[c]))
            {
                Swap(v, result, b);
            }
            else if (less(v[a], v[c]))
            {
                Swap(v, result, c);
            }
            else
            {
                Swap(v, result, a);
            }
        }
        else if (less(v[a], v[c]))
        {
            Swap(v, result, a);
        }
        else if (less(v[b], v[c]))
        {
            Swap(v, result, c);
        }
        else
        {
            Swap(v, result, b);
        }
    }

    private static int UnguardedPartition<T>(T[] v, int first, int last, int pivot, Func<T, T, bool> less)
    {
        while (true)
        {
            while (less(v[first], v[pivot]))
            {
                first++;
            }

            last--;
            while (less(v[pivot], v[last]))
            {
                last--;
            }

            if (!(first < last))
            {
                return first;
            }

            Swap(v, first, last);
            first++;
        }
    }

    private static void FinalInsertionSort<T>(T[] v, int first, int last, Func<T, T, bool> less)
    {
        if (last - first > Threshold)
        {
            InsertionSort(v, first, first + Threshold, less);
            for (int i = first + Threshold; i < last; i++)
            {
                UnguardedLinearInsert(v, i, less);
            }
        }
        else
        {
            InsertionSort(v, first, last, less);
        }
    }

    private static void InsertionSort<T>(T[] v, int first, int last, Func<T, T, bool> less)
    {
        if (first == last)
        {
            return;
        }

        for (int i = first + 1; i != last; i++)
        {
            if (less(v[i], v[first]))
            {
                T val = v[i];
                Array.Copy(v, first, v, first + 1, i - first);
                v[first] = val;
            }
            else
            {
                UnguardedLinearInsert(v, i, less);
            }
        }
    }

    private static void UnguardedLinearInsert<T>(T[] v, int last, Func<T, T, bool> less)
    {
        T val = v[last];
        int next = last - 1;
        while (less(val, v[next]))
        {
            v[last] = v[next];
            last = next;
            next--;
        }

        v[last] = val;
    }

    // std::__partial_sort(first, last, last): make_heap then sort_heap.
    private static void HeapSort<T>(T[] v, int first, int last, Func<T, T, bool> less)
    {
        int len = last - first;
        if (len >= 2)
        {
            int parent = (len - 2) / 2;
            while (true)
            {
                AdjustHeap(v, first, parent, len, v[first + parent], less);
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
            T value = v[last];
            v[last] = v[first];
            AdjustHeap(v, first, 0, last - first, value, less);
        }
    }

    private static void AdjustHeap<T>(T[] v, int first, int holeIndex, int len, T value, Func<T, T, bool> less)
    {
        int topIndex = holeIndex;
        int secondChild = holeIndex;
        while (secondChild < (len - 1) / 2)
        {
            secondChild = 2 * (secondChild + 1);
            if (less(v[first + secondChild], v[first + secondChild - 1]))
            {
                secondChild--;
            }

            v[first + holeIndex] = v[first + secondChild];
            holeIndex = secondChild;
        }

        if ((len & 1) == 0 && secondChild == (len - 2) / 2)
        {
            secondChild = 2 * (secondChild + 1);
            v[first + holeIndex] = v[first + secondChild - 1];
            holeIndex = secondChild - 1;
        }

        int parentIdx = (holeIndex - 1) / 2;
        while (holeIndex > topIndex && less(v[first + parentIdx], value))
        {
            v[first + holeIndex] = v[first + parentIdx];
            holeIndex = parentIdx;
            parentIdx = (holeIndex - 1) / 2;
        }

        v[first + holeIndex] = value;
    }

    private static void Swap<T>(T[] v, int a, int b) => (v[a], v[b]) = (v[b], v[a]);
}
