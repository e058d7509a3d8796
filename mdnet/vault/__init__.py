from mdnet.vault.facade import Vault as Vault  # the documented `from mdnet.vault import Vault`
