using DlibModels.Search;
using DlibModels.Search.Postgres;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Search;

public sealed class PostgresSearchTests(PostgresSearchData data) : IClassFixture<PostgresSearchData>
{
    private PgFaceIndex Open(bool exact, int efSearch = PgFaceIndexOptions.DefaultEfSearch)
    {
        data.Db.RequireDatabase();
        data.EnsureLoaded();
        return data.Db.Open(exact, efSearch);
    }

    /// <summary>Same faces in the same order, except where two distances tie (within 1e-6), and the same distances within 1e-6.</summary>
    private static void AssertSameAsBruteForce(Neighbor[] expected, IReadOnlyList<FaceMatch> got)
    {
        Assert.Equal(expected.Length, got.Count);
        for (int i = 0; i < got.Count; i++)
        {
            Assert.True(Math.Abs(expected[i].Distance - got[i].Distance) < 1e-6, $"rank {i}: {expected[i].Distance} vs {got[i].Distance}");
            if (expected[i].FaceId != got[i].FaceId)
            {
                // A swap is only allowed between (near-)equal distances.
                Neighbor same = expected.Single(n => n.FaceId == got[i].FaceId);
                Assert.True(Math.Abs(same.Distance - expected[i].Distance) < 1e-6, $"rank {i}: face {got[i].FaceId} instead of {expected[i].FaceId}");
            }
        }
    }

    private static bool SameAsBruteForce(Neighbor[] expected, IReadOnlyList<FaceMatch> got) =>
        expected.Length == got.Count && expected.Zip(got).All(p => p.First.FaceId == p.Second.FaceId || Math.Abs(p.First.Distance - p.Second.Distance) < 1e-6);

    [SkippableFact]
    public void ExactSearchEqualsBruteForce()
    {
        using PgFaceIndex index = Open(exact: true);
        var rng = new Random(5);
        for (int q = 0; q < 30; q++)
        {
            // Random points (far from every face) and new faces of known people.
            float[] query = q < 10 ? PostgresTestSchema.RandomDescriptor(rng) : PostgresTestSchema.Near(rng, data.Centres[rng.Next(data.Centres.Length)]);
            double limit = q % 2 == 0 ? double.PositiveInfinity : q < 10 ? 0.62 : 0.4;
            Neighbor[] expected = data.Matrix.Search(query, 5, limit);
            AssertSameAsBruteForce(expected, index.Search(query, 5, limit));
        }
    }

    [SkippableFact]
    public void HnswSearchEqualsBruteForce()
    {
        using PgFaceIndex index = Open(exact: false);
        var rng = new Random(6);
        int found = 0, total = 0, same = 0;
        for (int q = 0; q < 100; q++)
        {
            // A new face of a known person, what identification asks.
            float[] query = PostgresTestSchema.Near(rng, data.Centres[rng.Next(data.Centres.Length)]);
            Neighbor[] expected = data.Matrix.Search(query, 5);
            IReadOnlyList<FaceMatch> got = index.Search(query, 5);
            Assert.Equal(5, got.Count);
            foreach (FaceMatch m in got)
            {
                // Every distance is the exact one, whatever the graph found.
                float[] stored = data.Matrix.Get(m.FaceId)!;
                Assert.True(Math.Abs(FaceIndex.Distance(query, stored) - m.Distance) < 1e-6);
            }

            found += got.Count(m => expected.Any(e => e.FaceId == m.FaceId || Math.Abs(e.Distance - m.Distance) < 1e-6));
            total += expected.Length;
            same += SameAsBruteForce(expected, got) ? 1 : 0;
        }

        Assert.True(found >= 0.99 * total, $"recall@5 {found}/{total}");
        Assert.True(same >= 97, $"{same} of 100 searches equal brute force");
    }

    [SkippableFact]
    public void HnswModeUsesTheIndexAndExactModeDoesNot()
    {
        using PgFaceIndex hnsw = Open(exact: false);
        using PgFaceIndex exact = Open(exact: true);
        float[] query = PostgresTestSchema.RandomDescriptor(new Random(1));
        Assert.Contains("faces_descriptor_hnsw", hnsw.ExplainSearch(query, 5), StringComparison.Ordinal);
        Assert.DoesNotContain("faces_descriptor_hnsw", exact.ExplainSearch(query, 5), StringComparison.Ordinal);
    }

    [SkippableFact]
    public void IdentifyFindsOnlyLabelledFaces()
    {
        using PgFaceIndex index = Open(exact: false);
        FaceMatch nearest = index.Search(data.Matrix.Get(1) ?? PostgresTestSchema.RandomDescriptor(new Random(2)), 1)[0];
        // Every face of the shared data is unlabelled.
        Assert.Null(index.Identify(index.GetFace(nearest.FaceId)!.Descriptor, 10));
    }
}
