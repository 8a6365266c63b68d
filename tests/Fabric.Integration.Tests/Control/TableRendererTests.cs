using Fabric.Host.Cli;
using Xunit;

namespace Fabric.Integration.Tests.Control;

public sealed class TableRendererTests
{
    // Verbatim from shared/reference/ovs-output-examples/fdb-show-br0.txt (OVS 3.1, `ovs-appctl fdb/show br0`).
    private const string OvsFdbShowBr0 =
        " port  VLAN  MAC                Age\n" +
        "    1     0  50:54:00:00:00:01    0\n" +
        "    2     0  50:54:00:00:00:02    0\n";

    // Verbatim from shared/reference/ovs-output-examples/vsctl-show.txt (OVS 3.1, `ovs-vsctl show`).
    private const string OvsVsctlShow =
        "8bb33670-168e-4c2a-956d-257cf4b6b6e1\n" +
        "    Bridge br0\n" +
        "        datapath_type: dummy\n" +
        "        Port br0\n" +
        "            Interface br0\n" +
        "                type: internal\n" +
        "        Port p4\n" +
        "            tag: 10\n" +
        "            Interface p4\n" +
        "                type: dummy\n" +
        "        Port p1\n" +
        "            Interface p1\n" +
        "                type: dummy\n" +
        "        Port p2\n" +
        "            Interface p2\n" +
        "                type: dummy\n" +
        "        Port p3\n" +
        "            Interface p3\n" +
        "                type: dummy\n";

    [Fact]
    public void FormatFdb_matches_the_ovs_fdb_show_example_byte_for_byte()
    {
        FdbRow[] rows =
        [
            new("br0", "1", 0, "50:54:00:00:00:01", 0),
            new("br0", "2", 0, "50:54:00:00:00:02", 0),
        ];

        Assert.Equal(OvsFdbShowBr0, TableRenderer.FormatFdb(rows, multiBridge: false));
    }

    [Fact]
    public void FormatFdb_aligns_wide_values_static_entries_and_the_bridge_column()
    {
        FdbRow[] rows =
        [
            new("br0", "257", 4095, "fa:16:3e:41:bb:21", 291),
            new("br-long-name", "p1", 10, "02:00:00:00:00:01", null),
            new("br0", "vxlan-peer", 0, "02:00:00:00:00:02", 1234),
        ];

        Assert.Equal(
            " port  VLAN  MAC                Age\n" +
            "  257  4095  fa:16:3e:41:bb:21  291\n" +
            "   p1    10  02:00:00:00:00:01  static\n" +
            "vxlan-peer     0  02:00:00:00:00:02  1234\n",
            TableRenderer.FormatFdb(rows, multiBridge: false));
        Assert.Equal(
            "Bridge" + new string(' ', 9) + "port  VLAN  MAC                Age\n" +
            "br0" + new string(' ', 13) + "257  4095  fa:16:3e:41:bb:21  291\n" +
            "br-long-name" + new string(' ', 5) + "p1    10  02:00:00:00:00:01  static\n" +
            "br0" + new string(' ', 11) + "vxlan-peer     0  02:00:00:00:00:02  1234\n",
            TableRenderer.FormatFdb(rows, multiBridge: true));
        Assert.Equal(" port  VLAN  MAC                Age\n", TableRenderer.FormatFdb([], multiBridge: false));
    }

    [Fact]
    public void FormatShow_matches_the_ovs_vsctl_show_example_apart_from_the_fabric_interface_lines()
    {
        var model = new ShowModel(
            Guid.Parse("8bb33670-168e-4c2a-956d-257cf4b6b6e1"),
            [
                new ShowBridge("br0",
                [
                    new ShowPort("br0", 65534, 100, "internal", null, [], null, true),
                    new ShowPort("p4", 4, 4, "dummy", 10, [], null, true),
                    new ShowPort("p1", 1, 1, "dummy", null, [], null, true),
                    new ShowPort("p2", 2, 2, "dummy", null, [], null, false),
                    new ShowPort("p3", 3, 3, "dummy", null, [], null, true),
                ], DatapathType: "dummy"),
            ]);

        string text = TableRenderer.FormatShow(model);
        string[] fabricOnly = ["ofport: ", "dp_port: ", "link_state: "];
        string ovsPart = string.Concat(text.Split('\n')
            .Where(line => line.Length > 0 && !fabricOnly.Any(prefix => line.TrimStart().StartsWith(prefix, StringComparison.Ordinal)))
            .Select(line => line + "\n"));

        Assert.Equal(OvsVsctlShow, ovsPart);
        Assert.Contains(
            "        Port p2\n" +
            "            Interface p2\n" +
            "                type: dummy\n" +
            "                ofport: 2\n" +
            "                dp_port: 2\n" +
            "                link_state: down\n",
            text);
    }

    [Fact]
    public void FormatShow_prints_a_bond_as_one_port_with_an_interface_per_member()
    {
        var model = new ShowModel(null,
        [
            new ShowBridge("br0",
            [
                new ShowPort("bond0", 3, 5, "bond", 10, [], null, true)
                {
                    Interfaces = [new ShowInterface("eth1", 5, true), new ShowInterface("eth2", 6, false)],
                },
            ]),
        ]);

        Assert.Contains(
            "        Port bond0\n" +
            "            tag: 10\n" +
            "            Interface eth1\n" +
            "                ofport: 3\n" +
            "                dp_port: 5\n" +
            "                link_state: up\n" +
            "            Interface eth2\n" +
            "                ofport: 3\n" +
            "                dp_port: 6\n" +
            "                link_state: down\n",
            TableRenderer.FormatShow(model),
            StringComparison.Ordinal);
    }

    [Fact]
    public void FormatShow_prints_vlan_settings_omits_system_type_and_quotes_like_ovsdb()
    {
        var model = new ShowModel(null,
        [
            new ShowBridge("br-int",
            [
                new ShowPort("eth1", 1, 3, "system", null, [300, 20, 100], "trunk", true),
                new ShowPort("tap0", 2, 4, "tap", 20, [], "native-untagged", false),
                new ShowPort("vxlan 10.0.0.2", 3, 5, "vxlan", null, [], null, true),
                new ShowPort("true", 4, 6, "dummy", null, [], null, true),
            ]),
        ]);

        Assert.Equal(
            "    Bridge br-int\n" +
            "        Port eth1\n" +
            "            trunks: [20, 100, 300]\n" +
            "            vlan_mode: trunk\n" +
            "            Interface eth1\n" +
            "                ofport: 1\n" +
            "                dp_port: 3\n" +
            "                link_state: up\n" +
            "        Port tap0\n" +
            "            tag: 20\n" +
            "            vlan_mode: native-untagged\n" +
            "            Interface tap0\n" +
            "                type: tap\n" +
            "                ofport: 2\n" +
            "                dp_port: 4\n" +
            "                link_state: down\n" +
            "        Port \"vxlan 10.0.0.2\"\n" +
            "            Interface \"vxlan 10.0.0.2\"\n" +
            "                type: vxlan\n" +
            "                ofport: 3\n" +
            "                dp_port: 5\n" +
            "                link_state: up\n" +
            "        Port \"true\"\n" +
            "            Interface \"true\"\n" +
            "                type: dummy\n" +
            "                ofport: 4\n" +
            "                dp_port: 6\n" +
            "                link_state: up\n",
            TableRenderer.FormatShow(model));
    }

    [Fact]
    public void FormatShow_prints_a_vxlan_ports_options_sorted_and_quoted_like_ovsdb()
    {
        var model = new ShowModel(null,
        [
            new ShowBridge("br0",
            [
                new ShowPort("vx1", 3, 5, "vxlan", null, [], null, true)
                {
                    Options = new Dictionary<string, string> { ["remote_ip"] = "10.9.0.2", ["key"] = "100", ["local_ip"] = "10.9.0.1", ["mode"] = "flow" },
                },
            ]),
        ]);

        Assert.Equal(
            "    Bridge br0\n" +
            "        Port vx1\n" +
            "            Interface vx1\n" +
            "                type: vxlan\n" +
            "                options: {key=\"100\", local_ip=\"10.9.0.1\", mode=flow, remote_ip=\"10.9.0.2\"}\n" +
            "                ofport: 3\n" +
            "                dp_port: 5\n" +
            "                link_state: up\n",
            TableRenderer.FormatShow(model));
    }

    [Fact]
    public void FormatDpShow_prints_the_dpctl_show_layout()
    {
        var model = new DpShowModel("netdev@fabric", Hit: 140, Missed: 4, Lost: 0, Flows: 2, MaskHit: 180, Masks: 2,
            Ports:
            [
                new DpShowPort(3, "vxlan0", "vxlan", new Dictionary<string, string> { ["remote_ip"] = "10.0.0.2", ["dst_port"] = "4789" }),
                new DpShowPort(0, "l2bbr", "internal"),
                new DpShowPort(2, "vA", "system"),
                new DpShowPort(1, "tap7", "tap", new Dictionary<string, string>()),
            ],
            CacheHit: 100,
            OffloadDropped: 3);

        Assert.Equal(
            "netdev@fabric:\n" +
            "  lookups: hit:140 missed:4 lost:0\n" +
            "  flows: 2\n" +
            "  masks: hit:180 total:2 hit/pkt:1.25\n" +
            "  cache: hit:100 hit-rate:69.44%\n" +
            "  offloads: dropped:3\n" +
            "  port 0: l2bbr (internal)\n" +
            "  port 1: tap7 (tap)\n" +
            "  port 2: vA\n" +
            "  port 3: vxlan0 (vxlan: dst_port=4789, remote_ip=10.0.0.2)\n",
            TableRenderer.FormatDpShow(model));
    }

    [Fact]
    public void FormatDpShow_with_no_traffic_prints_zero_rates_and_no_cache_or_offloads_line()
    {
        var model = new DpShowModel("netdev@fabric", 0, 0, 0, 0, 0, 0, []);

        Assert.Equal(
            "netdev@fabric:\n" +
            "  lookups: hit:0 missed:0 lost:0\n" +
            "  flows: 0\n" +
            "  masks: hit:0 total:0 hit/pkt:0.00\n",
            TableRenderer.FormatDpShow(model));
    }
}
