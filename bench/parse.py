"""Parse throughput: 1,000,000 rows x 8 columns CSV through parse()."""

import random
import sys
import time
from pathlib import Path

from console.importers.mapping import ColumnSpec, Mapping
from console.importers.pipeline import ParsedRow, parse

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
path = Path("/tmp/bench/customers.csv")
if not path.exists() or path.stat().st_size < N * 60:
    rnd = random.Random(1)
    first = ["Anna", "Jörg", "Zoë", "Li", "Maria", "John", "Ana", "Ølaf"]
    last = ["Smith", "Müller", "O'Brien", "Wang", "García", "Nowak"]
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(
            "Customer ID,Customer Email,Phone,Full Name,IP Address,Cookie ID,Created (UTC),Amount\n"
        )
        for i in range(N):
            phone = (
                f"({rnd.randint(201, 989)}) {rnd.randint(200, 999)}-{rnd.randint(0, 9999):04d}"
                if i % 10
                else f"+44 20 7946 {rnd.randint(0, 9999):04d}"
            )
            f.write(
                f"C{i:07d},User{i}@Example{i % 50}.com,{phone},{rnd.choice(first)} {rnd.choice(last)},"
                f"10.{i % 256}.{(i >> 8) % 256}.{rnd.randint(1, 254)},{rnd.getrandbits(64):016x},"
                f"2024-0{1 + i % 9}-1{i % 10}T12:{i % 60:02d}:00Z,{rnd.randint(1, 99999) / 100}\n"
            )
mapping = Mapping(
    {
        "Customer ID": ColumnSpec("customer_id", "account.customer_id"),
        "Customer Email": ColumnSpec("email", "contact.email"),
        "Phone": ColumnSpec("phone", "contact.phone"),
        "Full Name": ColumnSpec("name", "contact.name"),
        "IP Address": ColumnSpec("ip", "technical.ip_address"),
        "Cookie ID": ColumnSpec("cookie_id", "technical.cookie_id"),
        "Created (UTC)": ColumnSpec(None, None, "collected_at"),
        "Amount": ColumnSpec(None, "transaction.amount"),
    },
    [],
)
t = time.perf_counter()
rows = problems = idents = 0
with parse(path, mapping, default_region="US") as table:
    for item in table:
        if isinstance(item, ParsedRow):
            rows += 1
            idents += len(item.identifiers)
        else:
            problems += 1
el = time.perf_counter() - t
print(
    f"{rows:,} rows, {problems} problems, {idents:,} identifiers in {el:.2f}s = {rows / el:,.0f} rows/s"
)
