using System.Text.Json;
using DlibModels.Search;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Search;

public sealed class FaceIndexTests : IDisposable
{
    private const string Model = "dlib_face_recognition_resnet_model_v1";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dlibmodels-index-" + Guid.NewGuid().ToString("N"));

    public FaceIndexTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string IndexPath(string name = "faces.db") => Path.Combine(_dir, name);

    private static float[] RandomDescriptor(Random rng, float scale = 0.1f)
    {
        var d = new float[FaceIndex.Dimension];
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = (float)((rng.NextDouble() - 0.5) * 2 * scale);
        }

        return d;
    }

    private static NewFace Face(float[] d, long? person = null, string model = Model, string image = "x.jpg") => new(d, model, image, "hash", new FaceRect(1, 2, 3, 4), [1f, 2f], person);

    [Theory]
    [InlineData(DistanceKernel.Scalar, 1)]
    [InlineData(DistanceKernel.Vector256, 1)]
    [InlineData(DistanceKernel.Vector512, 1)]
    [InlineData(DistanceKernel.Auto, 0)]
    [InlineData(DistanceKernel.Vector256, 0)]
    [InlineData(DistanceKernel.Scalar, 0)]
    public void SearchEqualsBruteForce(DistanceKernel kernel, int threads)
    {
        var rng = new Random(7);
        const int n = 40000; // above the parallel threshold
        var m = new DescriptorMatrix(FaceIndex.Dimension) { Kernel = kernel, MaxThreads = threads };
        var rows = new float[n][];
        for (int i = 0; i < n; i++)
        {
            rows[i] = RandomDescriptor(rng);
            m.Add(i + 1, i % 3 == 0 ? null : i % 50, rows[i]);
        }

        for (int q = 0; q < 10; q++)
        {
            float[] query = RandomDescriptor(rng);
            double limit = q % 2 == 0 ? double.PositiveInfinity : 0.86;
            Neighbor[] got = m.Search(query, 7, limit);
            var expected = Enumerable.Range(0, n).Select(i => (Id: (long)(i + 1), D: FaceIndex.Distance(query, rows[i])))
                .Where(x => x.D <= limit).OrderBy(x => x.D).ThenBy(x => x.Id).Take(7).ToArray();
            Assert.Equal(expected.Length, got.Length);
            Assert.True(got.Length > 0);
            for (int i = 0; i < got.Length; i++)
            {
                Assert.Equal(expected[i].Id, got[i].FaceId);
                Assert.True(Math.Abs(expected[i].D - got[i].Distance) < 1e-6, $"{expected[i].D} vs {got[i].Distance}");
            }
        }
    }

    [Fact]
    public void KernelsAgree()
    {
        var rng = new Random(3);
        for (int t = 0; t < 100; t++)
        {
            float[] a = RandomDescriptor(rng), b = RandomDescriptor(rng);
            double exact = FaceIndex.Distance(a, b);
            float s = DescriptorMatrix.SquaredDistanceScalar(ref a[0], ref b[0], a.Length);
            float v256 = DescriptorMatrix.SquaredDistance256(ref a[0], ref b[0], a.Length);
            float v512 = DescriptorMatrix.SquaredDistance512(ref a[0], ref b[0], a.Length);
            Assert.True(Math.Abs(Math.Sqrt(s) - exact) < 1e-6);
            Assert.True(Math.Abs(Math.Sqrt(v256) - exact) < 1e-6);
            Assert.True(Math.Abs(Math.Sqrt(v512) - exact) < 1e-6);
        }
    }

    [Fact]
    public void PersistsAcrossReopen()
    {
        var rng = new Random(1);
        float[] d1 = RandomDescriptor(rng), d2 = RandomDescriptor(rng);
        long alice, f1, f2;
        using (FaceIndex index = FaceIndex.Open(IndexPath(), Model))
        {
            alice = index.AddPerson("alice", "{\"note\":1}");
            f1 = index.AddFace(Face(d1, alice));
            f2 = index.AddFace(Face(d2));
        }

        using (FaceIndex index = FaceIndex.Open(IndexPath()))
        {
            Assert.Equal(Model, index.ModelId);
            Assert.Equal(2, index.Matrix.Count);
            Person p = Assert.Single(index.People());
            Assert.Equal(("alice", "{\"note\":1}", 1), (p.Name, p.Metadata, p.FaceCount));
            FaceEntry e = index.GetFace(f1)!;
            Assert.Equal(d1, e.Descriptor);
            Assert.Equal(new FaceRect(1, 2, 3, 4), e.Rect);
            Assert.Equal([1f, 2f], e.Landmarks!);
            FaceMatch best = index.Search(d1, 1)[0];
            Assert.Equal((f1, "alice", 0.0), (best.FaceId, best.PersonName, best.Distance));
            Assert.Equal(alice, index.Identify(d1)!.PersonId);

            index.ReassignFace(f2, alice);
            long bob = index.AddPerson("bob");
            index.RenamePerson(bob, "robert");
            index.MergePeople(alice, bob);
            Assert.True(index.RemoveFace(f1));
        }

        using (FaceIndex index = FaceIndex.Open(IndexPath(), Model))
        {
            Person p = Assert.Single(index.People());
            Assert.Equal(("robert", 1), (p.Name, p.FaceCount));
            FaceEntry e = Assert.Single(index.Faces());
            Assert.Equal(f2, e.Id);
            Assert.Equal(p.Id, index.Identify(d2)!.PersonId);
        }
    }

    [Fact]
    public void IncrementalAddIsSeenByASecondInstance()
    {
        var rng = new Random(2);
        using FaceIndex a = FaceIndex.Open(IndexPath(), Model);
        a.AddFace(Face(RandomDescriptor(rng)));
        using FaceIndex b = FaceIndex.Open(IndexPath(), Model);
        Assert.Equal(1, b.Matrix.Count);
        float[] d = RandomDescriptor(rng);
        long p = a.AddPerson("carol");
        long id = a.AddFace(Face(d, p));
        FaceMatch hit = b.Search(d, 1)[0];
        Assert.Equal((id, "carol"), (hit.FaceId, hit.PersonName));
        Assert.Equal(2, b.Matrix.Count);

        // A removal in one instance reaches the other (generation bump => reload).
        a.RemoveFace(id);
        Assert.NotEqual(id, b.Search(d, 1)[0].FaceId);
        Assert.Equal(1, b.Matrix.Count);
    }

    [Fact]
    public void AnotherModelIsRefused()
    {
        var rng = new Random(4);
        using (FaceIndex index = FaceIndex.Open(IndexPath(), Model))
        {
            index.AddFace(Face(RandomDescriptor(rng)));
            FaceIndexException e = Assert.Throws<FaceIndexException>(() => index.AddFace(Face(RandomDescriptor(rng), model: "other_net")));
            Assert.Contains("other_net", e.Message);
            Assert.Equal(1, index.Matrix.Count);
        }

        FaceIndexException open = Assert.Throws<FaceIndexException>(() => FaceIndex.Open(IndexPath(), "other_net"));
        Assert.Contains(Model, open.Message);
        Assert.Contains("other_net", open.Message);
    }

    [Fact]
    public void CorruptOrForeignFileIsRefusedByName()
    {
        string junk = IndexPath("junk.db");
        File.WriteAllBytes(junk, [.. Enumerable.Range(0, 8192).Select(i => (byte)(i * 31))]);
        FaceIndexException e = Assert.Throws<FaceIndexException>(() => FaceIndex.Open(junk));
        Assert.Contains(junk, e.Message);

        string foreign = IndexPath("foreign.db");
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={foreign};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE t(x)";
            cmd.ExecuteNonQuery();
        }

        e = Assert.Throws<FaceIndexException>(() => FaceIndex.Open(foreign));
        Assert.Contains(foreign, e.Message);
        Assert.Contains("not a DlibModels face index", e.Message);
    }

    [Fact]
    public void JohnsEnrolledByFolderGiveDlibsVerdicts()
    {
        using JsonDocument golden = JsonDocument.Parse(File.ReadAllText(TestPaths.SharedFile("reference/descriptors_chips.json")));
        var chips = golden.RootElement.GetProperty("results").EnumerateArray()
            .Select(r => (Image: r.GetProperty("image").GetString()!, D: r.GetProperty("descriptor").EnumerateArray().Select(v => v.GetSingle()).ToArray()))
            .ToList();
        Assert.True(chips.Count >= 4);
        using FaceIndex index = FaceIndex.Open(IndexPath(), Model);
        var ids = new List<long>();
        foreach (var (image, d) in chips)
        {
            string person = Path.GetFileName(Path.GetDirectoryName(image))!;
            ids.Add(index.AddFace(new NewFace(d, Model, image, "golden", PersonId: index.GetOrAddPerson(person))));
        }

        for (int i = 0; i < chips.Count; i++)
        {
            // dlib's verdict from its own descriptors: every pair within 0.6 is the same person.
            for (int j = 0; j < chips.Count; j++)
            {
                double d = FaceIndex.Distance(chips[i].D, chips[j].D);
                (double dist, bool same) = index.Verify(ids[i], ids[j]);
                Assert.True(Math.Abs(d - dist) < 1e-6);
                Assert.Equal(d <= 0.6, same);
            }

            // Search = the nearest faces by dlib's distances; identify = the nearest labeled face within 0.6.
            var expected = chips.Select((c, j) => (Id: ids[j], Image: c.Image, D: FaceIndex.Distance(chips[i].D, c.D))).OrderBy(x => x.D).ThenBy(x => x.Id).ToList();
            IReadOnlyList<FaceMatch> got = index.Search(chips[i].D, 3, FaceIndex.DefaultTolerance);
            var within = expected.Where(x => x.D <= 0.6).Take(3).ToList();
            Assert.Equal(within.Select(x => x.Id), got.Select(g => g.FaceId));
            Assert.Equal(within.Select(x => x.Image), got.Select(g => g.SourceImage));
            FaceMatch? who = index.Identify(chips[i].D);
            Assert.Equal(Path.GetFileName(Path.GetDirectoryName(chips[i].Image)), who!.PersonName);
        }
    }
}
