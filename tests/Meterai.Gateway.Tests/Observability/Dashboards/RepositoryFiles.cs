namespace Meterai.Gateway.Tests.Observability.Dashboards;

/// <summary>The repository's own files (dashboards/, deploy/), found by walking up from the test output to gateway.sln.</summary>
internal static class RepositoryFiles
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "gateway.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No gateway.sln above {AppContext.BaseDirectory}: the tests need the repository's dashboards/ and deploy/.");
    });

    public static string Root => RootPath.Value;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string DashboardsDirectory => PathOf("dashboards");

    public static string PrometheusDirectory => PathOf("deploy", "prometheus");
}
