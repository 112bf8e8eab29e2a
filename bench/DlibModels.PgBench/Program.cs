using System.Diagnostics;
using System.Globalization;
using DlibModels.PgBench;
using DlibModels.Search;
using DlibModels.Search.Postgres;
using Npgsql;
using NpgsqlTypes;
using Pgvector;

// dotnet run -c Release --project bench/DlibModels.PgBench -- [--faces N] [--people P] [--queries Q] [--ef 40,100,200]
//   [--m 32] [--ef-construction 200] [--exact-queries 20] [--schema bench_pg] [--keep]
// Needs DLIB_PG (eval "$(ci/postgres.sh start)"). Prints a markdown section for bench/RESULTS.md.
var opts = new Dictionary<string, string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i].StartsWith("--", StringComparison.Ordinal))
    {
        opts[args[i][2..]] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
    }
}

int Int(string key, int fallback) => opts.TryGetValue(key, out string? v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
int faces = Int("faces", 1_000_000);
int people = Int("people", Math.Max(1, faces / 10));
int queries = Int("queries", 200);
int exactQueries = Int("exact-queries", 20);
int[] efs = [.. (opts.GetValueOrDefault("ef") ?? "40,100,200,400").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
string schema = opts.GetValueOrDefault("schema") ?? "bench_pg";
int m = Int("m", new PgFaceIndexOptions().HnswM);
int efConstruction = Int("ef-construction", new PgFaceIndexOptions().HnswEfConstruction);
string cs = Environment.GetEnvironmentVariable("DLIB_PG") ?? throw new InvalidOperationException("set DLIB_PG (eval \"$(ci/postgres.sh start)\")");
const string Model = "dlib_face_recognition_resnet_model_v1";

var gen = new SyntheticFaces(people, 42);
var matrix = new DescriptorMatrix(FaceIndex.Dimension, faces);
using (PgFaceIndex fresh = PgFaceIndex.Open(cs, new PgFaceIndexOptions { Schema = schema }))
{
    fresh.Drop();
}

using PgFaceIndex index = PgFaceIndex.Open(cs, new PgFaceIndexOptions { Schema = schema, ModelId = Model });
NpgsqlDataSource source = index.DataSource;
void Sql(string sql)
{
    using NpgsqlCommand c = source.CreateCommand(sql);
    c.CommandTimeout = 0;
    c.ExecuteNonQuery();
}

// Import with the index dropped (COPY binary), then build the HNSW index once: much faster than inserting into it.
Sql($"DROP INDEX {schema}.faces_descriptor_hnsw");
var sw = Stopwatch.StartNew();
using (NpgsqlConnection conn = source.OpenConnection())
using (NpgsqlBinaryImporter copy = conn.BeginBinaryImport($"COPY {schema}.faces(image, content_hash, descriptor, model) FROM STDIN (FORMAT BINARY)"))
{
    for (int i = 0; i < faces; i++)
    {
        float[] d = gen.Next();
        matrix.Add(i + 1, null, d);
        copy.StartRow();
        copy.Write("synthetic.jpg", NpgsqlDbType.Text);
        copy.Write("-", NpgsqlDbType.Text);
        copy.Write(new Vector(d));
        copy.Write(Model, NpgsqlDbType.Text);
    }

    copy.Complete();
}

double importS = sw.Elapsed.TotalSeconds;
Sql($"VACUUM ANALYZE {schema}.faces");
sw.Restart();
Sql($"SET maintenance_work_mem = '2GB'; SET max_parallel_maintenance_workers = 2; CREATE INDEX faces_descriptor_hnsw ON {schema}.faces USING hnsw (descriptor vector_l2_ops) WITH (m = {m}, ef_construction = {efConstruction})");
double buildS = sw.Elapsed.TotalSeconds;
long indexBytes = index.Stats().MatrixBytes;

// Queries: a new face of a known person (what identification does). Ids in the table are 1..faces in COPY order.
var probe = new float[queries][];
for (int q = 0; q < queries; q++)
{
    probe[q] = gen.Next();
}

Neighbor[][] truth = [.. probe.Select(p => matrix.Search(p, 5))];
var rows = new List<string>();

(double Recall, double Median, double P95) Measure(PgFaceIndex ix, int n)
{
    ix.Search(probe[0], 5); // warm the pool and the plan
    int found = 0, total = 0;
    var ms = new List<double>();
    for (int q = 0; q < n; q++)
    {
        var t = Stopwatch.StartNew();
        IReadOnlyList<FaceMatch> got = ix.Search(probe[q], 5);
        ms.Add(t.Elapsed.TotalMilliseconds);
        found += truth[q].Count(e => got.Any(m => m.FaceId == e.FaceId || Math.Abs(m.Distance - e.Distance) < 1e-6));
        total += truth[q].Length;
    }

    ms.Sort();
    return ((double)found / total, ms[ms.Count / 2], ms[Math.Min(ms.Count - 1, (int)(ms.Count * 0.95))]);
}

foreach (int ef in efs)
{
    using PgFaceIndex ix = PgFaceIndex.Open(cs, new PgFaceIndexOptions { Schema = schema, EfSearch = ef });
    (double r, double med, double p95) = Measure(ix, queries);
    rows.Add(FormattableString.Invariant($"| HNSW, ef_search {ef} | {r:F4} | {med:F2} | {p95:F2} |"));
    Console.Error.WriteLine(rows[^1]);
}

using (PgFaceIndex ix = PgFaceIndex.Open(cs, new PgFaceIndexOptions { Schema = schema, Exact = true }))
{
    (double r, double med, double p95) = Measure(ix, Math.Min(exactQueries, queries));
    rows.Add(FormattableString.Invariant($"| exact (sequential scan), {Math.Min(exactQueries, queries)} queries | {r:F4} | {med:F2} | {p95:F2} |"));
    Console.Error.WriteLine(rows[^1]);
}

var inproc = new List<double>();
for (int q = 0; q < queries; q++)
{
    var t = Stopwatch.StartNew();
    matrix.Search(probe[q], 5);
    inproc.Add(t.Elapsed.TotalMilliseconds);
}

inproc.Sort();
rows.Add(FormattableString.Invariant($"| in-process DescriptorMatrix (FaceIndex), for comparison | 1.0000 | {inproc[inproc.Count / 2]:F2} | {inproc[(int)(inproc.Count * 0.95)]:F2} |"));

string version;
using (NpgsqlCommand v = source.CreateCommand("SELECT current_setting('server_version') || ', pgvector ' || extversion FROM pg_extension WHERE extname = 'vector'"))
{
    version = (string)v.ExecuteScalar()!;
}

Console.WriteLine(FormattableString.Invariant($"""
    {faces:N0} synthetic descriptors ({people:N0} people, norm ~0.53), {queries} queries (a new face of a known person), k = 5.
    PostgreSQL {version}, HNSW m = {m}, ef_construction = {efConstruction}, {Environment.ProcessorCount} cores.
    Import (COPY binary) {importS:F1} s; HNSW build {buildS:F1} s; index {indexBytes / 1048576.0:F0} MiB.

    | search | recall@5 vs exact | median ms | p95 ms |
    |---|---|---|---|
    """));
foreach (string row in rows)
{
    Console.WriteLine(row);
}

if (!opts.ContainsKey("keep"))
{
    index.Drop();
}
