using System.Security.Cryptography;

namespace Meterai.Simulator;

/// <summary>
/// The 2024 landscape: 26 registered distributors of which only 10 actually sold to the public.
/// </summary>
public static class DemoFleet
{
    /// <summary>Registered distributors.</summary>
    public const int Registered = 26;

    /// <summary>Distributors that actually sell (d01–d10).</summary>
    public const int Selling = 10;

    /// <summary>
    /// Creates the demo fleet. Distributor i (1-based) listens on <paramref name="basePort"/> + i − 1,
    /// or on an ephemeral port when <paramref name="basePort"/> is 0.
    /// <list type="bullet">
    /// <item>d01–d10 sell: healthy, plenty of stock, capacities 16–64, service times 20–60 ms. d03 requires an API key
    /// (random per call, so that no key lives in source; read it from <c>Options.ApiKey</c> or the registry).</item>
    /// <item>d11–d13 are registered but idle with no stock: healthy, /stock says 0, orders answer 409.</item>
    /// <item>d14–d15 are registered but idle refusing orders: healthy, /stock shows stock, orders answer 503.</item>
    /// <item>d16–d19 are sold out: initial stock 0, orders answer 409 until someone calls SetStock.</item>
    /// <item>d20–d23 are down: they start refusing connections (no listener), on a port reserved for them.</item>
    /// <item>d24–d26 flap: healthy and 503-to-everything alternately, every 20 s.</item>
    /// </list>
    /// </summary>
    public static IReadOnlyList<SimulatedDistributorOptions> Create(int basePort = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(basePort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(basePort, 65535 - Registered + 1);

        var list = new List<SimulatedDistributorOptions>(Registered);
        int PortOf(int number) => basePort == 0 ? 0 : basePort + number - 1;
        string IdOf(int number) => $"d{number:D2}";

        // Sellers differ in capacity and speed so the gateway's routing and limits have something to balance.
        (string Name, int Capacity, int ServiceMs)[] sellers =
        [
            ("PT Meterai Digital Nusantara", 64, 20),
            ("PT Sinar Meterai Abadi", 48, 30),
            ("PT Cipta Dokumen Sejahtera", 32, 25),
            ("PT Mitra Segel Elektronik", 16, 60),
            ("PT Bumi Stempel Indonesia", 40, 35),
            ("PT Karya Tanda Tangan Digital", 24, 40),
            ("PT Garuda Meterai Sentosa", 56, 20),
            ("PT Jaya Distribusi Meterai", 32, 45),
            ("PT Surya Dokumen Prima", 20, 50),
            ("PT Lintas Arsip Mandiri", 48, 30),
        ];
        for (var i = 0; i < sellers.Length; i++)
        {
            var number = i + 1;
            list.Add(new SimulatedDistributorOptions
            {
                Id = IdOf(number),
                Name = sellers[i].Name,
                Port = PortOf(number),
                Capacity = sellers[i].Capacity,
                ServiceTime = TimeSpan.FromMilliseconds(sellers[i].ServiceMs),
                InitialStock = 1_000_000,
                ApiKey = number == 3 ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) : null,
            });
        }

        string[] idleNames =
        [
            "PT Harapan Meterai Jaya", "PT Tunas Kertas Nusantara", "PT Cahaya Pos Digital",
            "PT Samudra Segel Utama", "PT Berkah Meterai Raya",
            "PT Mega Stempel Persada", "PT Anugerah Dokumen Elektronik", "PT Bintang Meterai Lestari", "PT Pelita Tanda Digital",
            "PT Nusa Meterai Teknologi", "PT Indah Arsip Sejahtera", "PT Rajawali Segel Mandiri", "PT Sentosa Meterai Global",
            "PT Merdeka Dokumen Digital", "PT Kencana Meterai Utama", "PT Adi Karya Stempel",
        ];
        for (var i = 0; i < idleNames.Length; i++)
        {
            var number = Selling + i + 1;
            var behavior = new DistributorBehavior();
            var stock = 1_000_000;
            switch (number)
            {
                case <= 13:
                    behavior.Idle = IdleMode.NoStock;
                    break;
                case <= 15:
                    behavior.Idle = IdleMode.RefuseOrders;
                    break;
                case <= 19:
                    stock = 0;
                    break;
                case <= 23:
                    behavior.Down = DownMode.RefuseConnections;
                    break;
                default:
                    behavior.FlapPeriod = TimeSpan.FromSeconds(20);
                    break;
            }

            list.Add(new SimulatedDistributorOptions
            {
                Id = IdOf(number),
                Name = idleNames[i],
                Port = PortOf(number),
                InitialStock = stock,
                Behavior = behavior,
            });
        }

        return list;
    }
}
