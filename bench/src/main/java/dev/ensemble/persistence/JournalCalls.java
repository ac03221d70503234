package dev.ensemble.persistence;

import java.util.List;

/** The package-private calls of the crash journals that {@code dev.ensemble.bench.JournalWriterBench} makes as the ledger does. */
public final class JournalCalls {

  private JournalCalls() {
  }

  /** What the {@code LedgerWriter} tells the journal after each committed batch. */
  public static void ledgerWritten(InflightJournal journal, List<LedgerEntry> rows) {
    journal.ledgerWritten(rows);
  }

  /** The same for the baseline. */
  public static void ledgerWritten(LegacyInflightJournal journal, List<LedgerEntry> rows) {
    journal.ledgerWritten(rows);
  }
}
