using DlibModels.Search;
using DlibModels.Search.Postgres;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Search;

/// <summary>5,000 synthetic descriptors (500 people, 10 faces each) in one schema, shared by the search tests.</summary>
public sealed class PostgresSearchData : IDisposable
{
    public const int Count = 5000;

    internal PostgresTestSchema Db { get; } = new();

    public DescriptorMatrix Matrix { get; } = new(FaceIndex.Dimension);

    public bool Loaded { get; private set; }

    public float[][] Centres { get; private set; } = [];

    public void EnsureLoaded()
    {
        if (Loaded)
        {
            return;
        }

        var rng = new Random(11);
        (float[][] descriptors, float[][] centres) = PostgresTestSchema.ClusteredDescriptors(rng, Count / 10, 10);
        Centres = centres;
        List<NewFace> faces = [.. descriptors.Select(d => PostgresTestSchema.Face(d))];

        using PgFaceIndex index = Db.Open();
        IReadOnlyList<long> ids = index.AddFaces(faces);
        for (int i = 0; i < Count; i++)
        {
            Matrix.Add(ids[i], null, faces[i].Descriptor);
        }

        Loaded = true;
    }

    public void Dispose() => Db.Dispose();
}
