using DlibModels.Search;
using DlibModels.Search.Postgres;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Search;

public sealed class PostgresFaceIndexTests : IDisposable
{
    private readonly PostgresTestSchema _db = new();

    public void Dispose() => _db.Dispose();

    [SkippableFact]
    public void DescriptorOfAnotherModelIsRefused()
    {
        using PgFaceIndex index = _db.Open();
        var rng = new Random(1);
        index.AddFace(PostgresTestSchema.Face(PostgresTestSchema.RandomDescriptor(rng)));
        Assert.Equal(PostgresTestSchema.Model, index.ModelId);
        var e = Assert.Throws<FaceIndexException>(() => index.AddFace(PostgresTestSchema.Face(PostgresTestSchema.RandomDescriptor(rng), model: "other_model")));
        Assert.Contains("other_model", e.Message, StringComparison.Ordinal);
        Assert.Contains(PostgresTestSchema.Model, e.Message, StringComparison.Ordinal);
        Assert.Single(index.Faces());

        // Opening with another model is refused too.
        var open = Assert.Throws<FaceIndexException>(() => _db.Open(modelId: "other_model"));
        Assert.Contains("other_model", open.Message, StringComparison.Ordinal);
        using PgFaceIndex same = _db.Open(modelId: PostgresTestSchema.Model);
        Assert.Equal(PostgresTestSchema.Model, same.ModelId);
    }

    [SkippableFact]
    public void PersonOperations()
    {
        using PgFaceIndex index = _db.Open();
        var rng = new Random(2);
        long alice = index.AddPerson("alice", "{\"x\":1}");
        long bob = index.GetOrAddPerson("bob");
        Assert.Equal(bob, index.GetOrAddPerson("bob"));
        long a1 = index.AddFace(PostgresTestSchema.Face(PostgresTestSchema.RandomDescriptor(rng), alice));
        long b1 = index.AddFace(PostgresTestSchema.Face(PostgresTestSchema.RandomDescriptor(rng), bob));
        long b2 = index.AddFace(PostgresTestSchema.Face(PostgresTestSchema.RandomDescriptor(rng), bob));

        index.RenamePerson(alice, "alice2");
        Assert.Null(index.FindPerson("alice"));
        Person renamed = index.FindPerson("alice2")!;
        Assert.Equal((alice, "{\"x\":1}", 1), (renamed.Id, renamed.Metadata, renamed.FaceCount));
        index.SetPersonMetadata(alice, null);
        Assert.Null(index.FindPerson("alice2")!.Metadata);
        Assert.Throws<ArgumentException>(() => index.RenamePerson(9999, "x"));

        index.MergePeople(bob, alice);
        Assert.Null(index.FindPerson("bob"));
        Assert.Equal(3, index.FindPerson("alice2")!.FaceCount);
        Assert.All(index.Faces(alice), f => Assert.Equal(alice, f.PersonId));
        Assert.Throws<ArgumentException>(() => index.MergePeople(alice, 9999));

        FaceMatch? who = index.Identify(index.GetFace(b2)!.Descriptor);
        Assert.Equal((b2, "alice2"), (who!.FaceId, who.PersonName));
        (double d, bool same) = index.Verify(a1, a1);
        Assert.Equal((0.0, true), (d, same));

        index.ReassignFace(b1, null);
        Assert.Equal(1, index.Stats().UnassignedFaces);
        index.RemovePerson(alice);
        Assert.Empty(index.People());
        Assert.Equal(3, index.Faces().Count);
        Assert.Null(index.Identify(index.GetFace(b2)!.Descriptor));

        long carol = index.AddPerson("carol");
        index.ReassignFace(a1, carol);
        index.RemovePerson(carol, removeFaces: true);
        Assert.Null(index.GetFace(a1));
        Assert.True(index.RemoveFace(b1));
        Assert.False(index.RemoveFace(b1));
        IndexStats stats = index.Stats();
        Assert.Equal((0, 1, 1, PostgresTestSchema.Model), (stats.People, stats.Faces, stats.UnassignedFaces, stats.ModelId));
    }

    [SkippableFact]
    public void FaceRoundTrips()
    {
        using PgFaceIndex index = _db.Open();
        float[] d = PostgresTestSchema.RandomDescriptor(new Random(3));
        long id = index.AddFace(new NewFace(d, PostgresTestSchema.Model, "img/a.jpg", "abc", new FaceRect(-1, 2, 300, 400), [1.5f, 2.5f, 3.5f]));
        FaceEntry f = index.GetFace(id)!;
        Assert.Equal(d, f.Descriptor);
        Assert.Equal(("img/a.jpg", "abc", new FaceRect(-1, 2, 300, 400)), (f.SourceImage, f.ContentHash, f.Rect!.Value));
        Assert.Equal([1.5f, 2.5f, 3.5f], f.Landmarks!);
        Assert.True(Math.Abs((DateTime.UtcNow - f.Added).TotalMinutes) < 5);
        long bare = index.AddFace(new NewFace(d, PostgresTestSchema.Model, "b.jpg", "h"));
        Assert.Null(index.GetFace(bare)!.Rect);
        Assert.Null(index.GetFace(bare)!.Landmarks);
    }

    [SkippableFact]
    public void TwoInstancesShareOneDatabase()
    {
        using PgFaceIndex first = _db.Open();
        using PgFaceIndex second = _db.Open();
        Assert.Null(second.ModelId);
        float[] d = PostgresTestSchema.RandomDescriptor(new Random(4));
        long person = first.AddPerson("dora");
        long id = first.AddFace(PostgresTestSchema.Face(d, person));

        IReadOnlyList<FaceMatch> hits = second.Search(d, 1);
        Assert.Equal((id, person, "dora", 0.0), (hits[0].FaceId, hits[0].PersonId, hits[0].PersonName, hits[0].Distance));
        second.Refresh();
        Assert.Equal(PostgresTestSchema.Model, second.ModelId);
        Assert.Equal(person, second.GetOrAddPerson("dora"));
        Assert.Throws<FaceIndexException>(() => second.AddFace(PostgresTestSchema.Face(d, model: "other")));

        second.RemoveFace(id);
        Assert.Empty(first.Search(d, 1));
    }

    [SkippableFact]
    public void BatchWithOneInvalidFaceAddsNothing()
    {
        using PgFaceIndex index = _db.Open();
        var rng = new Random(5);
        index.AddFace(PostgresTestSchema.Face(PostgresTestSchema.RandomDescriptor(rng)));
        var good = Enumerable.Range(0, 20).Select(_ => PostgresTestSchema.Face(PostgresTestSchema.RandomDescriptor(rng))).ToList();

        // A NaN descriptor is refused by pgvector itself, in the middle of the transaction.
        float[] nan = PostgresTestSchema.RandomDescriptor(rng);
        nan[7] = float.NaN;
        Assert.Throws<FaceIndexException>(() => index.AddFaces([.. good, PostgresTestSchema.Face(nan), .. good]));
        // A person that does not exist: a foreign key violation on the last face.
        Assert.Throws<FaceIndexException>(() => index.AddFaces([.. good, PostgresTestSchema.Face(PostgresTestSchema.RandomDescriptor(rng), person: 424242)]));
        // A wrong length is refused before the database.
        Assert.Throws<ArgumentException>(() => index.AddFaces([.. good, PostgresTestSchema.Face(new float[127])]));
        Assert.Single(index.Faces());

        Assert.Equal(20, index.AddFaces(good).Count);
        Assert.Equal(21, index.Stats().Faces);
    }

    [SkippableFact]
    public void BadConnectionGivesAClearError()
    {
        _db.RequireDatabase();
        var e = Assert.Throws<FaceIndexException>(() => PgFaceIndex.Open("Host=127.0.0.1;Port=1;Database=nothing;Username=nobody", new PgFaceIndexOptions { ConnectTimeoutSeconds = 3 }));
        Assert.Contains("127.0.0.1:1", e.Message, StringComparison.Ordinal);
        Assert.Contains("connect", e.Message, StringComparison.OrdinalIgnoreCase);

        var name = Assert.Throws<FaceIndexException>(() => PgFaceIndex.Open("postgresql://nobody@no-such-host.invalid:5432/db", new PgFaceIndexOptions { ConnectTimeoutSeconds = 3 }));
        Assert.Contains("no-such-host.invalid", name.Message, StringComparison.Ordinal);

        var db = Assert.Throws<FaceIndexException>(() => PgFaceIndex.Open(_db.ConnectionString + ";Database=no_such_database_x"));
        Assert.Contains("no_such_database_x", db.Message, StringComparison.Ordinal);

        Assert.Throws<FaceIndexException>(() => PgFaceIndex.Open("Host=127.0.0.1;Bogus Key=1"));
    }

    [Theory]
    [InlineData("Host=localhost;Database=faces", true)]
    [InlineData("server=db.example.com; database=faces; username=u", true)]
    [InlineData("postgresql://u:p@db:5433/faces?sslmode=require", true)]
    [InlineData("postgres://db/faces", true)]
    [InlineData("faces.db", false)]
    [InlineData("/var/lib/faces/index.db", false)]
    [InlineData("C:\\faces\\host=1.db", false)]
    [InlineData("", false)]
    public void LooksLikeConnectionString(string value, bool expected) => Assert.Equal(expected, PgFaceIndex.LooksLikeConnectionString(value));

    [Fact]
    public void UrlIsParsed()
    {
        Npgsql.NpgsqlConnectionStringBuilder b = PgConnectionString.Parse("postgresql://us%40er:p%3Ass@db.example.com:5433/faces?sslmode=require&application_name=x");
        Assert.Equal(("db.example.com", 5433, "faces", "us@er", "p:ss"), (b.Host, b.Port, b.Database, b.Username, b.Password));
        Assert.Equal(Npgsql.SslMode.Require, b.SslMode);
        Assert.Equal(5432, PgConnectionString.Parse("postgresql://db/faces").Port);
    }
}
