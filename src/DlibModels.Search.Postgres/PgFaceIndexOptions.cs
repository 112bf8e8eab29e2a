namespace DlibModels.Search.Postgres;

/// <summary>How a <see cref="PgFaceIndex"/> stores and searches faces.</summary>
public sealed record PgFaceIndexOptions
{
    /// <summary>
    /// The default <see cref="EfSearch"/>: the HNSW candidate list length. pgvector's own default (40) gives a
    /// recall@5 well under 0.99 at a million faces; 200 measured at least 0.99 (bench/RESULTS.md).
    /// </summary>
    public const int DefaultEfSearch = 200;

    /// <summary>
    /// The schema the tables (meta, people, faces) live in; created if absent. One schema is one index, so one
    /// database can hold several. Lower-case letters, digits and underscores.
    /// </summary>
    public string Schema { get; init; } = "dlibmodels";

    /// <summary>
    /// Exact search: a sequential scan over every descriptor (the HNSW index is not used), so results equal brute
    /// force. Off: the HNSW index answers (approximate, much faster on large indexes).
    /// </summary>
    public bool Exact { get; init; }

    /// <summary>pgvector's <c>hnsw.ef_search</c> for every search (1 to 1000); higher is slower and more exact.</summary>
    public int EfSearch { get; init; } = DefaultEfSearch;

    /// <summary>HNSW <c>m</c> (links per node, 2 to 100) when the index is created; pgvector's default 16.</summary>
    public int HnswM { get; init; } = 16;

    /// <summary>HNSW <c>ef_construction</c> (4 to 1000, at least 2 m) when the index is created; pgvector's default 64. Higher builds slower and finds more.</summary>
    public int HnswEfConstruction { get; init; } = 64;

    /// <summary>The model every descriptor must come from, or null to take it from the index (or the first face).</summary>
    public string? ModelId { get; init; }

    /// <summary>Seconds to wait for a connection before failing (Npgsql's Timeout), or null for the connection string's (default 15).</summary>
    public int? ConnectTimeoutSeconds { get; init; }
}
