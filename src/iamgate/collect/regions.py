"""Which regions the regional sources read: the ones asked for (``--regions``), else every region
enabled for the account (``ec2:DescribeRegions``).

If the lookup is denied, the client's own region is used and the error is recorded, so the run
is never a silent pass on one region: pass ``--regions`` to avoid it.
"""

from __future__ import annotations

from typing import Any

from iamgate.collect.source import DataSource, Session
from iamgate.model.snapshot import Source


def regions(session: Session) -> dict[str, Any]:
    if session.wanted_regions:
        return {"regions": session.wanted_regions}
    ec2 = session.clients.client("ec2")
    found = ec2.describe_regions(AllRegions=False)["Regions"]
    names = sorted(r["RegionName"] for r in found)
    session.progress(f"DescribeRegions: {len(names)} enabled regions")
    return {"regions": tuple(names)}


REGIONS = DataSource(
    Source.REGIONS,
    {"DescribeRegions": "ec2:DescribeRegions"},
    regions,
    fallback=lambda session: {"regions": (session.region,)},
    answers={"DescribeRegions": ("Regions[].RegionName",)},
)
