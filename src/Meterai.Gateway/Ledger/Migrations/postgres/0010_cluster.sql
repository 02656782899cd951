-- The ASP.NET Data Protection key ring (Auth/LedgerXmlRepository), in the ledger so that every
-- gateway sharing the ledger encrypts and reads sign-in cookies and antiforgery tokens alike.
CREATE TABLE data_protection_keys (
    friendly_name TEXT NOT NULL PRIMARY KEY,   -- "key-{guid}", one row per key, never rewritten
    xml           TEXT NOT NULL
);
