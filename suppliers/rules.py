"""Who may see and change supplier organisations."""

from commissioning.rules import officers_manage

officers_manage("suppliers", "supplier", "suppliermembership")
