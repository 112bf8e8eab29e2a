using DlibModels.Randomness;

namespace DlibModels.Clustering;

/// <summary>
/// dlib's <c>sample_pair</c>: an undirected edge between two nodes with a weight (dlib calls it
/// distance; chinese_whispers sums it as a vote). The smaller index is always <see cref="Index1"/>.
/// </summary>
public readonly record struct SamplePair
{
    /// <summary>Creates an edge; the indices are put in increasing order, as dlib does.</summary>
    public SamplePair(int index1, int index2, double distance = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index1);
        ArgumentOutOfRangeException.ThrowIfNegative(index2);
        Index1 = Math.Min(index1, index2);
        Index2 = Math.Max(index1, index2);
        Distance = distance;
    }

    /// <summary>The smaller node index.</summary>
    public int Index1 { get; }

    /// <summary>The larger node index.</summary>
    public int Index2 { get; }

    /// <summary>The edge weight.</summary>
    public double Distance { get; }
}

/// <summary>dlib's <c>chinese_whispers</c> graph clustering.</summary>
public static class ChineseWhispers
{
    /// <summary>
    /// Clusters the nodes of an undirected graph exactly as dlib's
    /// <c>chinese_whispers(edges, labels, num_iterations, rnd)</c>: each edge becomes two directed
    /// edges (one for a self edge), sorted by (from, to); then nodes × iterations times a node picked
    /// with <c>get_random_64bit_number() % nodes</c> takes the label with the largest summed edge
    /// weight among its neighbours (ties go to the smallest label). Labels are renumbered in order of
    /// first appearance by node index.
    /// </summary>
    /// <param name="edges">The edges; the graph has max index + 1 nodes.</param>
    /// <param name="labels">One label per node, 0..count−1 (empty when there are no edges).</param>
    /// <param name="numIterations">Iterations per node (dlib's default is 100).</param>
    /// <param name="random">The generator to draw from; null means a fresh default-seeded one, as dlib does.</param>
    /// <returns>The number of clusters.</returns>
    public static int Cluster(IReadOnlyList<SamplePair> edges, out int[] labels, int numIterations = 100, DlibRandom? random = null)
    {
        ArgumentNullException.ThrowIfNull(edges);
        ArgumentOutOfRangeException.ThrowIfNegative(numIterations);
        random ??= new DlibRandom();
        if (edges.Count == 0)
        {
            labels = [];
            return 0;
        }

        var directed = new List<(int From, int To, double W, int Order)>(edges.Count * 2);
        int maxIndex = -1;
        foreach (SamplePair e in edges)
        {
            directed.Add((e.Index1, e.Index2, e.Distance, directed.Count));
            if (e.Index1 != e.Index2)
            {
                directed.Add((e.Index2, e.Index1, e.Distance, directed.Count));
            }

            maxIndex = Math.Max(maxIndex, e.Index2);
        }

        directed.Sort(static (a, b) =>
        {
            int c = a.From.CompareTo(b.From);
            if (c != 0)
            {
                return c;
            }

            c = a.To.CompareTo(b.To);
            return c != 0 ? c : a.Order.CompareTo(b.Order);
        });

        int numNodes = maxIndex + 1;
        var begin = new int[numNodes];
        var end = new int[numNodes];
        int cur = 0, start = 0;
        for (int i = 0; i < directed.Count; i++)
        {
            if (directed[i].From != cur)
            {
                begin[cur] = start;
                end[cur] = i;
                start = i;
                cur = directed[i].From;
            }
        }

        begin[cur] = start;
        end[cur] = directed.Count;

        var to = new int[directed.Count];
        var w = new double[directed.Count];
        for (int i = 0; i < directed.Count; i++)
        {
            to[i] = directed[i].To;
            w[i] = directed[i].W;
        }

        var lab = new int[numNodes];
        for (int i = 0; i < numNodes; i++)
        {
            lab[i] = i;
        }

        var counts = new Dictionary<int, double>();
        ulong total = (ulong)numNodes * (ulong)numIterations;
        for (ulong iter = 0; iter < total; iter++)
        {
            int idx = (int)(random.GetRandom64BitNumber() % (ulong)numNodes);
            counts.Clear();
            for (int i = begin[idx]; i != end[idx]; i++)
            {
                int l = lab[to[i]];
                counts[l] = counts.TryGetValue(l, out double s) ? s + w[i] : w[i];
            }

            double bestScore = double.NegativeInfinity;
            int bestLabel = lab[idx];
            bool found = false;
            foreach (KeyValuePair<int, double> kv in counts)
            {
                if (kv.Value > bestScore || (found && kv.Value == bestScore && kv.Key < bestLabel))
                {
                    bestScore = kv.Value;
                    bestLabel = kv.Key;
                    found = true;
                }
            }

            lab[idx] = bestLabel;
        }

        var remap = new Dictionary<int, int>();
        for (int i = 0; i < numNodes; i++)
        {
            if (!remap.ContainsKey(lab[i]))
            {
                remap[lab[i]] = remap.Count;
            }
        }

        for (int i = 0; i < numNodes; i++)
        {
            lab[i] = remap[lab[i]];
        }

        labels = lab;
        return remap.Count;
    }
}
