namespace Meterai.Gateway.Admission;

/// <summary>The line shared by several gateways through the ledger (<see cref="PlaceSync"/>; docs/order-of-service.md, "Several gateways").</summary>
internal sealed partial class WaitingLine
{
    /// <summary>Whether places are kept for other gateways to read (<see cref="TakeChanges"/>); off when this gateway is alone.</summary>
    public bool Shared { get; set; }

    /// <summary>Live gateways sharing this line (set by the place sync): positions drain at all of their speeds together.</summary>
    public int Gateways { get; set; } = 1;

    /// <summary>Changes made here since the last call, one per key, for the other gateways.</summary>
    public IReadOnlyList<PlaceNote> TakeChanges()
    {
        lock (_lock)
        {
            var changes = _changes.Values.ToList();
            _changes.Clear();
            return changes;
        }
    }

    /// <summary>Applies other gateways' changes: the earliest ticket wins, the latest promise holds, a served key leaves.</summary>
    public void Merge(IEnumerable<PlaceNote> notes)
    {
        ArgumentNullException.ThrowIfNull(notes);
        lock (_lock)
        {
            foreach (var note in notes)
            {
                // Served here since the last batch went out: the ledger does not know yet, and must not bring the place back.
                if (_changes.TryGetValue(note.Key, out var pending) && pending.Served)
                {
                    continue;
                }

                _byKey.TryGetValue(note.Key, out var place);
                if (note.Served)
                {
                    if (place is not null && place.Ticket >= note.Ticket && _byKey.Remove(note.Key))
                    {
                        RemoveWaiting(place);
                    }

                    continue;
                }

                if (place is null)
                {
                    place = new Place(note.Key, note.Ticket) { DueAt = note.DueAt, KeepUntil = note.KeepUntil };
                    _byKey.Add(note.Key, place);
                    InsertWaiting(place);
                    Watch(place);
                    continue;
                }

                if (note.Ticket < place.Ticket)
                {
                    RemoveWaiting(place);
                    place.Ticket = note.Ticket;
                    if (!place.Late)
                    {
                        InsertWaiting(place);
                    }
                }

                place.DueAt = Later(place.DueAt, note.DueAt);
                place.KeepUntil = Later(place.KeepUntil, note.KeepUntil);
                Rejoin(place);
                Watch(place);
            }

            _metrics?.QueueLength(_waiting.Count);
        }
    }

    /// <summary>Keeps the place's change for the other gateways (the latest per key), when the line is shared.</summary>
    private void Note(Place place, bool served = false)
    {
        if (Shared)
        {
            _changes[place.Key] = new PlaceNote(place.Key, place.Ticket, place.DueAt, place.KeepUntil, served);
        }
    }
}
