# The work of lurusctl's base, per node, for pyinfra (the same as base.yml). Files live under
# /opt/lurus-bench/pyinfra, so no tool undoes another's.
from io import StringIO

from pyinfra import host
from pyinfra.operations import apt, files, systemd

root = "/opt/lurus-bench/pyinfra"
name = host.name

for path, mode in [("", "755"), ("etc", "755"), ("secrets", "700"), ("lib", "700"), ("log", "700"),
                   ("journald.conf.d", "755")]:
    files.directory(name=f"directory {path or '/'}", path=f"{root}/{path}".rstrip("/"), mode=mode)

files.put(name="hostname", src=StringIO(f"{name}\n"), dest=f"{root}/hostname", mode="644")
files.file(name="set the hostname once", path=f"{root}/hostname-set", present=True)
files.block(name="hosts block", path=f"{root}/hosts", marker="# {mark} lurus-bench nodes",
            content="10.77.0.11 brain\n10.77.0.12 heart\n10.77.0.13 monitor\n10.77.0.14 lab", try_prevent_shell_expansion=True)
files.put(name="node file", src=StringIO(f"cluster=lurus-lab\nnode={name}\n"), dest=f"{root}/etc/node", mode="644")
apt.packages(name="packages", packages=["ca-certificates", "curl", "chrony"])
systemd.service(name="time sync enabled", service="chrony.service", enabled=True)
files.put(name="journald limits", src=StringIO("[Journal]\nSystemMaxUse=1G\nMaxRetentionSec=30day\n"),
          dest=f"{root}/journald.conf.d/50-lurus.conf", mode="644")
systemd.service(name="journald running", service="systemd-journald.service", running=True)
files.put(name="kernel settings file", src=StringIO("net.ipv4.ip_forward = 1\nnet.ipv6.conf.all.forwarding = 1\n"),
          dest=f"{root}/99-lurus.conf", mode="644")
files.file(name="layout marker", path=f"{root}/etc/layout", touch=False)
