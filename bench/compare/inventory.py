# The four lab hosts for pyinfra, reached with the lab's ssh_config, key and known_hosts.
lab = (
    ["brain", "heart", "monitor", "lab"],
    {
        "ssh_user": "root",
        "ssh_config_file": "../../.lab/ssh/config",
        "ssh_key": "../../.lab/ssh/id_ed25519",
        "ssh_known_hosts_file": "../../.lab/ssh/known_hosts",
        "ssh_strict_host_key_checking": "yes",
    },
)
