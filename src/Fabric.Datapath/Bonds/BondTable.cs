namespace Fabric.Datapath.Bonds;

/// <summary>
/// The datapath's bonds by id: an array of <see cref="BondMap"/> versions replaced copy-on-write by the single writer
/// (the datapath actor) and read without locks by poll threads (<see cref="Get"/>).
/// </summary>
public sealed class BondTable
{
    private readonly object _writeLock = new();
    private readonly Dictionary<ushort, BondBucketCounters> _counters = new();
    private BondMap?[] _maps = new BondMap?[8];

    /// <summary>Creates an empty table whose bucket counters have one row per poll thread.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is below 1.</exception>
    public BondTable(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Threads = threads;
    }

    /// <summary>Rows of each bond's bucket counters (one per poll thread).</summary>
    public int Threads { get; }

    /// <summary>The current version of bond <paramref name="bondId"/>, or null. Lock-free; no allocation.</summary>
    public BondMap? Get(ushort bondId)
    {
        BondMap?[] maps = Volatile.Read(ref _maps);
        return bondId < maps.Length ? maps[bondId] : null;
    }

    /// <summary>The bucket counters of bond <paramref name="bondId"/>, created on first use and kept for the table's life.</summary>
    public BondBucketCounters CountersFor(ushort bondId)
    {
        lock (_writeLock)
        {
            if (!_counters.TryGetValue(bondId, out BondBucketCounters? c))
            {
                c = new BondBucketCounters(Threads);
                _counters[bondId] = c;
            }

            return c;
        }
    }

    /// <summary>Every bond's current version, by id.</summary>
    public IReadOnlyList<BondMap> All()
    {
        BondMap?[] maps = Volatile.Read(ref _maps);
        var list = new List<BondMap>();
        foreach (BondMap? m in maps)
        {
            if (m is not null)
            {
                list.Add(m);
            }
        }

        return list;
    }

    /// <summary>Publishes <paramref name="map"/> as the current version of its bond; poll threads see it at their next packet.</summary>
    /// <exception cref="ArgumentException">The map's counters are not this table's counters for its bond.</exception>
    public void Publish(BondMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        lock (_writeLock)
        {
            if (!ReferenceEquals(CountersFor(map.BondId), map.Counters))
            {
                throw new ArgumentException($"bond {map.Name}: its map must use the table's bucket counters (CountersFor)", nameof(map));
            }

            BondMap?[] current = _maps;
            var next = new BondMap?[Math.Max(current.Length, map.BondId + 1)];
            current.CopyTo(next, 0);
            next[map.BondId] = map;
            Volatile.Write(ref _maps, next);
        }
    }

    /// <summary>Removes bond <paramref name="bondId"/>; its actions drop from then on. Returns false when there was none.</summary>
    public bool Remove(ushort bondId)
    {
        lock (_writeLock)
        {
            BondMap?[] current = _maps;
            if (bondId >= current.Length || current[bondId] is null)
            {
                return false;
            }

            var next = (BondMap?[])current.Clone();
            next[bondId] = null;
            Volatile.Write(ref _maps, next);
            return true;
        }
    }
}
