"""Scan config parsing and path resolution (scanner/config.py), without Flask."""

import os

import pytest

from scanner.config import ConfigError, compress_ports, load_config, parse_config, parse_port_spec

VALID = """\
title: T
scan: {ports: "1-10,22"}
sites:
  - name: S
    ips:
      - address: 127.0.0.1
        expected: {ping: true, tcp_ports: [22, 80]}
      - cidr: 127.0.0.0/30
"""


def test_valid_config_parses_into_plain_data():
    config = parse_config(VALID)
    assert config.title == "T"
    assert config.scan_ports == list(range(1, 11)) + [22]
    assert [entry.target for entry in config.sites[0].ips] == ["127.0.0.1", "127.0.0.0/30"]
    assert config.sites[0].ips[0].expected.tcp_ports == [22, 80]


@pytest.mark.parametrize("address", [
    "127.0.0.1 -oN /tmp/x",
    "--script=http-title",
    "-iL /etc/passwd",
    "example.com",
    "127.0.0.1;id",
    "$(id)",
])
def test_target_that_is_not_an_address_is_rejected(address):
    text = f"title: T\nsites:\n  - name: S\n    ips:\n      - address: {address!r}\n"
    with pytest.raises(ConfigError, match=r"sites\.0\.ips\.0\.address: .* is not an IP address"):
        parse_config(text)


@pytest.mark.parametrize("ports", ["22 --script vuln", "-iL /etc/passwd", "80,-oN x", "0", "70000", "10-5", "T:22", "22;id"])
def test_port_spec_that_smuggles_options_is_rejected(ports):
    text = f"title: T\nscan: {{ports: {ports!r}}}\nsites:\n  - name: S\n    ips:\n      - address: 127.0.0.1\n"
    with pytest.raises(ConfigError, match=r"scan\.ports"):
        parse_config(text)


@pytest.mark.parametrize("text, fragment", [
    ("sites: []\n", "title: Field required"),
    ("title: T\nsites: []\n", "sites: List should have at least 1 item"),
    ("title: T\nsites:\n  - name: S\n    ips:\n      - {}\n", "exactly one of address or cidr"),
    ("title: T\nsites:\n  - name: S\n    ips:\n      - cidr: 10.0.0.0/8\n", "the limit is 65536"),
    ("title: T\nsites:\n  - name: S\n    ips:\n      - cidr: '::1/64'\n", "IPv6 ranges cannot be scanned"),
    ("title: T\nschedule: every day\nsites:\n  - name: S\n    ips:\n      - address: 127.0.0.1\n", "schedule"),
    ("title: T\nsurprise: 1\nsites:\n  - name: S\n    ips:\n      - address: 127.0.0.1\n", "surprise: Extra inputs"),
    ("title: T\nsites:\n  - name: S\n    ips:\n      - address: 127.0.0.1\n        expected: {tcp_ports: [0]}\n",
     "expected.tcp_ports"),
])
def test_schema_errors_name_the_field(text, fragment):
    with pytest.raises(ConfigError) as raised:
        parse_config(text)
    assert fragment in str(raised.value)


def test_yaml_error_reports_the_line():
    with pytest.raises(ConfigError, match="not valid YAML at line 3, column 1: found character '\\\\t'"):
        parse_config("title: T\nsites:\n\t- name: S\n")


def test_port_helpers_round_trip():
    assert parse_port_spec("80, 22,20-21") == [20, 21, 22, 80]
    assert compress_ports([22, 20, 21, 80, 443, 444]) == "20-22,80,443-444"


@pytest.fixture
def config_dir(tmp_path):
    root = tmp_path / "configs"
    (root / "team").mkdir(parents=True)
    (root / "site.yaml").write_text(VALID)
    (root / "team" / "nested.yml").write_text(VALID)
    (tmp_path / "outside.yaml").write_text(VALID)
    os.symlink(tmp_path / "outside.yaml", root / "link.yaml")
    return root


@pytest.mark.parametrize("requested", ["site.yaml", "team/nested.yml", "./team/../site.yaml"])
def test_config_inside_the_config_dir_resolves(config_dir, requested):
    path, config = load_config(config_dir, requested)
    assert path.is_relative_to(config_dir) and config.title == "T"


def test_absolute_path_inside_the_config_dir_resolves(config_dir):
    path, _ = load_config(config_dir, str(config_dir / "site.yaml"))
    assert path == config_dir / "site.yaml"


@pytest.mark.parametrize("requested", ["../outside.yaml", "team/../../outside.yaml", "link.yaml", "/etc/passwd"])
def test_config_path_outside_config_dir_is_rejected(config_dir, requested):
    with pytest.raises(ConfigError, match="inside the config directory"):
        load_config(config_dir, requested)


def test_absolute_path_outside_the_config_dir_is_rejected(config_dir, tmp_path):
    with pytest.raises(ConfigError, match="inside the config directory"):
        load_config(config_dir, str(tmp_path / "outside.yaml"))


def test_missing_config_is_reported_by_name(config_dir):
    with pytest.raises(ConfigError, match="Config file not found: nope.yaml"):
        load_config(config_dir, "nope.yaml")
