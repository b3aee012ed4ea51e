"""`motcua hub signing …`: the centre's signing certificate (what signs receipts, notices and electronic
results), and the digitisation figures of a period."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path

from hub.cli.common import data_arg, data_dir, err, open_db


def add_parsers(hsub: argparse._SubParsersAction) -> None:
    sg = hsub.add_parser("signing", help="the centre's signing certificate (PAdES) and digitisation figures")
    ssub = sg.add_subparsers(dest="signing_cmd", required=True)
    st = ssub.add_parser("status", help="who signs what the hub issues")
    data_arg(st)
    st.set_defaults(func=cmd_status)
    im = ssub.add_parser("import", help="install the certificate a licensed CA issued to the centre (.p12/.pfx)")
    data_arg(im)
    im.add_argument("file", type=Path)
    im.add_argument("--passphrase-file", type=Path, required=True,
                    help="a file holding the PKCS#12 passphrase (not typed on the command line, which is logged)")
    im.set_defaults(func=cmd_import)
    dg = ssub.add_parser("digitisation", help="the 766 digitisation figures of a site over a period (JSON)")
    data_arg(dg)
    dg.add_argument("--site", required=True)
    dg.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD (included)")
    dg.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD (excluded)")
    dg.set_defaults(func=cmd_digitisation)


def cmd_status(args: argparse.Namespace) -> int:
    from motcua_core import signing

    d = data_dir(args)
    p12 = d / "signing" / "centre.p12"
    if not p12.exists():
        print("Chưa có chứng thư số của Trung tâm: lần ký đầu tiên hub tự cấp một chứng thư nội bộ (tự cấp).")
        return 0
    signer = signing.pkcs12_signer(p12, (d / "signing" / "centre.pass").read_bytes())
    cert = signer.signing_cert
    self_issued = (d / "signing" / "centre-ca.pem").exists()
    print(f"Ký bởi: {cert.subject.native.get('common_name', '')}")
    print(f"Cấp bởi: {cert.issuer.native.get('common_name', '')}{' (tự cấp, chỉ để thử)' if self_issued else ''}")
    print(f"Hiệu lực đến: {cert['tbs_certificate']['validity']['not_after'].native:%d/%m/%Y}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from hub import signing_keys
    from motcua_core.signing import SigningError

    d = data_dir(args)
    open_db(args).conn.close()  # refuses a directory that is not a hub's
    try:
        name = signing_keys.install(d, args.file.read_bytes(), args.passphrase_file.read_bytes().strip())
    except (OSError, SigningError) as e:
        return err(getattr(e, "message_vi", str(e)))
    (d / "signing" / "centre-ca.pem").unlink(missing_ok=True)  # no longer self-issued
    print(f"Đã cài chứng thư số: {name}. Khởi động lại hub để dùng chứng thư mới.")
    return 0


def cmd_digitisation(args: argparse.Namespace) -> int:
    from hub.ops import dossier_files
    from hub.ops.dossiers import calendar_for

    db = open_db(args)
    tz = calendar_for(db, args.site).tz
    start = datetime.fromisoformat(args.start).replace(tzinfo=tz).timestamp()
    end = datetime.fromisoformat(args.end).replace(tzinfo=tz).timestamp()
    print(json.dumps(dossier_files.digitisation_counts(db, args.site, start, end), ensure_ascii=False))
    return 0
