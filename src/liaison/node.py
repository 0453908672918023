"""The running node: settings, database, signing key and event bus, wired once per process."""

from __future__ import annotations

from dataclasses import dataclass

from liaison.audit.checkpoint import load_or_create_node_key
from liaison.audit.log import NodeSigner
from liaison.domain.accounts import AccountPolicy, parse_roles
from liaison.domain.sealing import Sealer
from liaison.events.bus import EventBus
from liaison.events.outbox import publish_after_commit
from liaison.security import builtin_registry
from liaison.settings import Settings
from liaison.store.engine import Database, make_engine
from liaison.store.files import BlobStore
from liaison.store.labels import LabelAuthority, watch_commits
from liaison.translation.select import Translator, translator_from_settings


@dataclass
class Node:
    settings: Settings
    db: Database
    signer: NodeSigner
    labels: LabelAuthority
    sealer: Sealer
    bus: EventBus
    accounts: AccountPolicy
    files: BlobStore
    translator: Translator | None

    @classmethod
    def open(cls, settings: Settings) -> Node:
        """Create the data dir, the secret and node keys on first start, and the engine."""
        settings.ensure_data_dir()
        signer = NodeSigner(settings.node_name, load_or_create_node_key(settings.node_key_path))
        labels = LabelAuthority(builtin_registry)
        db = Database(
            make_engine(settings.resolved_database_url),
            info={"signer": signer, "labels": labels},
        )
        watch_commits(db.write_sessions, labels)
        bus = EventBus()
        publish_after_commit(db.write_sessions, bus)
        return cls(
            settings=settings,
            db=db,
            signer=signer,
            labels=labels,
            sealer=Sealer(settings.resolved_secret_key),
            bus=bus,
            accounts=AccountPolicy(
                lockout_threshold=settings.lockout_threshold,
                lockout_minutes=settings.lockout_minutes,
                token_ttl_minutes=settings.token_ttl_minutes,
                session_ttl_minutes=settings.session_ttl_minutes,
                totp_required_roles=parse_roles(sorted(settings.totp_required_roles)),
            ),
            files=BlobStore(settings.files_dir),
            translator=translator_from_settings(
                settings.translation_engine,
                settings.translation_url,
                key.get_secret_value() if (key := settings.translation_api_key) else None,
                settings.translation_clearance,
                labels.registry,
            ),
        )

    def close(self) -> None:
        self.db.dispose()
