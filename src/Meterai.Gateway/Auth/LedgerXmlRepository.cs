using System.Xml.Linq;
using Dapper;
using Meterai.Gateway.Ledger;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Meterai.Gateway.Auth;

/// <summary>
/// The data-protection key ring in the ledger's <c>data_protection_keys</c> table: one shared ring
/// for every gateway on the ledger, so a cookie issued by one is read by all.
/// </summary>
/// <remarks>
/// <see cref="IXmlRepository"/> is synchronous, and it is called rarely (the ring is cached and a
/// key is added every 90 days), so plain synchronous connections are used. A key already stored
/// under its name is kept: keys are immutable once written, and two gateways creating the same
/// name is impossible (each name carries a new GUID).
/// </remarks>
internal sealed class LedgerXmlRepository(LedgerDatabase database) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = Open();
        return connection.Query<string>("SELECT xml FROM data_protection_keys ORDER BY friendly_name")
            .Select(XElement.Parse)
            .ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = Open();
        connection.Execute(
            "INSERT INTO data_protection_keys (friendly_name, xml) VALUES (@friendlyName, @xml) ON CONFLICT (friendly_name) DO NOTHING",
            new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) });
    }

    private System.Data.Common.DbConnection Open()
    {
        var connection = database.Dialect.CreateConnection(database.ConnectionString);
        connection.Open();
        if (database.Dialect.OnOpenSql is { } onOpen)
        {
            connection.Execute(onOpen);
        }

        return connection;
    }
}
