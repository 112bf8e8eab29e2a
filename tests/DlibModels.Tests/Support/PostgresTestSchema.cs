using DlibModels.Search;
using DlibModels.Search.Postgres;

namespace DlibModels.Tests.Support;

/// <summary>
/// A fresh schema in the PostgreSQL database named by env DLIB_PG (ci/postgres.sh start sets it), dropped on
/// dispose, so test classes never see each other's faces.
/// </summary>
internal sealed class PostgresTestSchema : IDisposable
{
    public const string Model = "dlib_face_recognition_resnet_model_v1";

    public PostgresTestSchema()
    {
        ConnectionString = Environment.GetEnvironmentVariable("DLIB_PG");
        Schema = "t_" + Guid.NewGuid().ToString("N")[..16];
    }

    /// <summary>DLIB_PG, or null when it is unset.</summary>
    public string? ConnectionString { get; }

    /// <summary>This instance's schema.</summary>
    public string Schema { get; }

    /// <summary>Skips the test (reason names DLIB_PG) when no database is configured.</summary>
    public string RequireDatabase()
    {
        Skip.If(string.IsNullOrEmpty(ConnectionString), "DLIB_PG is unset: no PostgreSQL with pgvector to test against (eval \"$(ci/postgres.sh start)\" sets it)");
        return ConnectionString!;
    }

    /// <summary>Opens the index in this schema (each call is a separate connection pool, like another process).</summary>
    public PgFaceIndex Open(bool exact = false, int efSearch = PgFaceIndexOptions.DefaultEfSearch, string? modelId = null) =>
        PgFaceIndex.Open(RequireDatabase(), new PgFaceIndexOptions { Schema = Schema, Exact = exact, EfSearch = efSearch, ModelId = modelId });

    /// <summary>A descriptor with about the norm of dlib's (0.5): uniform per coordinate.</summary>
    public static float[] RandomDescriptor(Random rng)
    {
        var d = new float[FaceIndex.Dimension];
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = (float)((rng.NextDouble() - 0.5) * 0.154);
        }

        return d;
    }

    /// <summary>
    /// Faces shaped like dlib's: <paramref name="people"/> random centres of norm about 0.45 and faces scattered
    /// around them (about 0.4 apart within a person), <paramref name="perPerson"/> each; returns the centres too.
    /// </summary>
    public static (float[][] Faces, float[][] Centres) ClusteredDescriptors(Random rng, int people, int perPerson)
    {
        float[][] centres = [.. Enumerable.Range(0, people).Select(_ => Scaled(RandomDescriptor(rng), 0.9f))];
        float[][] faces = [.. Enumerable.Range(0, people * perPerson).Select(i => Near(rng, centres[i % people]))];
        return (faces, centres);
    }

    /// <summary>A new face of the person with centre <paramref name="centre"/>.</summary>
    public static float[] Near(Random rng, float[] centre)
    {
        float[] d = Scaled(RandomDescriptor(rng), 0.55f);
        for (int i = 0; i < d.Length; i++)
        {
            d[i] += centre[i];
        }

        return d;
    }

    private static float[] Scaled(float[] d, float f)
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] *= f;
        }

        return d;
    }

    public static NewFace Face(float[] d, long? person = null, string model = Model, string image = "x.jpg") =>
        new(d, model, image, "hash", new FaceRect(1, 2, 3, 4), [1f, 2f], person);

    public void Dispose()
    {
        if (string.IsNullOrEmpty(ConnectionString))
        {
            return;
        }

        try
        {
            using PgFaceIndex index = PgFaceIndex.Open(ConnectionString, new PgFaceIndexOptions { Schema = Schema });
            index.Drop();
        }
        catch (FaceIndexException)
        {
        }
    }
}
