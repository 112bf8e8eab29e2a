using DlibModels.Clustering;

namespace DlibModels.Search;

/// <summary>The outcome of clustering an index's unassigned faces.</summary>
/// <param name="Clusters">The new people made from clusters, with their face counts.</param>
/// <param name="Unclustered">Unassigned faces left alone (in clusters smaller than the minimum size).</param>
public sealed record ClusterReport(IReadOnlyList<Person> Clusters, int Unclustered);

/// <summary>
/// Faces that belong to nobody yet. <see cref="ClusterAll"/> groups all unassigned faces with dlib's
/// <c>chinese_whispers</c> over the graph of pairs closer than the threshold (as dlib's
/// <c>dnn_face_recognition_ex</c> does) and makes each large enough group a person named
/// <c>cluster-ID</c>; renaming that person names its faces. <see cref="AssignToNeighbours"/> places
/// one new face the way Immich does: when at least N stored faces lie within the threshold, the face
/// joins the person most of them belong to; otherwise it waits for the next clustering.
/// </summary>
public static class UnknownFaces
{
    /// <summary>The metadata that marks a person made by clustering (not named by anyone yet).</summary>
    public const string ClusterMetadata = "{\"cluster\":true}";

    /// <summary>Neighbours a face is linked to when the graph is built (the nearest, within the threshold).</summary>
    public const int MaxNeighbours = 200;

    /// <summary>Clusters every unassigned face of <paramref name="index"/>.</summary>
    /// <param name="index">The index.</param>
    /// <param name="threshold">Faces closer than this are linked (dlib's 0.6).</param>
    /// <param name="minSize">Clusters with fewer faces stay unassigned.</param>
    public static ClusterReport ClusterAll(FaceIndex index, double threshold = FaceIndex.DefaultTolerance, int minSize = 2)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentOutOfRangeException.ThrowIfLessThan(minSize, 1);
        index.Refresh();
        List<FaceEntry> unassigned = [.. index.Faces().Where(f => f.PersonId is null)];
        var node = new Dictionary<long, int>(unassigned.Count);
        for (int i = 0; i < unassigned.Count; i++)
        {
            node[unassigned[i].Id] = i;
        }

        // Every node gets a self edge so that faces without neighbours still have a label.
        var edges = new List<SamplePair>();
        for (int i = 0; i < unassigned.Count; i++)
        {
            edges.Add(new SamplePair(i, i));
            foreach (Neighbor n in index.Matrix.Search(unassigned[i].Descriptor, MaxNeighbours, threshold))
            {
                if (node.TryGetValue(n.FaceId, out int j) && j > i && n.Distance < threshold)
                {
                    edges.Add(new SamplePair(i, j));
                }
            }
        }

        int count = ChineseWhispers.Cluster(edges, out int[] labels);
        var members = new List<long>[count];
        for (int c = 0; c < count; c++)
        {
            members[c] = [];
        }

        for (int i = 0; i < labels.Length; i++)
        {
            members[labels[i]].Add(unassigned[i].Id);
        }

        var made = new List<Person>();
        int left = 0;
        foreach (List<long> faces in members)
        {
            if (faces.Count < minSize)
            {
                left += faces.Count;
                continue;
            }

            string name = $"cluster-{faces.Min()}";
            long person = index.AddPerson(name, ClusterMetadata);
            index.AssignFaces(faces, person);
            made.Add(new Person(person, name, ClusterMetadata, faces.Count));
        }

        return new ClusterReport(made, left);
    }

    /// <summary>
    /// Gives a stored, unassigned face the person of its neighbours when at least
    /// <paramref name="minNeighbours"/> other faces lie within <paramref name="threshold"/> and some
    /// of them belong to a person (the most common one; ties go to the nearest). Returns that person,
    /// or null when the face waits.
    /// </summary>
    public static long? AssignToNeighbours(FaceIndex index, long faceId, float[] descriptor, double threshold = FaceIndex.DefaultTolerance, int minNeighbours = 3)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentOutOfRangeException.ThrowIfLessThan(minNeighbours, 1);
        Neighbor[] near = [.. index.Matrix.Search(descriptor, MaxNeighbours, threshold).Where(n => n.FaceId != faceId && n.Distance < threshold)];
        if (near.Length < minNeighbours)
        {
            return null;
        }

        long? best = near
            .Where(n => n.PersonId is not null)
            .GroupBy(n => n.PersonId!.Value)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Min(n => n.Distance))
            .Select(g => (long?)g.Key)
            .FirstOrDefault();
        if (best is long person)
        {
            index.ReassignFace(faceId, person);
        }

        return best;
    }
}
