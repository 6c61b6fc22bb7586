//! intoto-test-card: a virtual OpenPGP smartcard for intoto's tests.
//!
//! The card application is the `opcard` crate (OpenPGP card 3.4, as on a
//! Nitrokey 3), running on trussed's in-memory platform. It connects to
//! vsmartcard's vpcd reader driver inside pcscd, so GnuPG's scdaemon sees
//! an ordinary card in "Virtual PCD 00 00". State is RAM only: every start
//! is a fresh card with PIN 123456 and admin PIN 12345678. Tests only.
//!
//! Usage: intoto-test-card [--port PORT] [--serial 8-HEX-DIGITS]

use std::process::ExitCode;
use std::time::{Duration, Instant};

use iso7816::{Command, Instruction, Status};

/// Largest command (after chaining) and reply kept.
const MAX: usize = 7609;

/// trussed plumbing: the extra backends opcard needs (PIN handling,
/// chunked and wrapped-key storage, software RSA) behind one dispatcher.
mod platform {
    use trussed::backend::{Backend as _, BackendId};
    use trussed::platform::Platform;
    use trussed::serde_extensions::{ExtensionDispatch, ExtensionId, ExtensionImpl};
    use trussed::service::ServiceResources;
    use trussed::types::Context;
    use trussed_auth::AuthExtension;
    use trussed_auth_backend::{AuthBackend, AuthContext, FilesystemLayout};
    use trussed_chunked::ChunkedExtension;
    use trussed_core::api::{Reply, Request, reply, request};
    use trussed_core::types::{Bytes, Location};
    use trussed_core::Error;
    use trussed_rsa_alloc::SoftwareRsa;
    use trussed_staging::{StagingBackend, StagingContext};
    use trussed_wrap_key_to_file::WrapKeyToFileExtension;

    #[derive(Clone, Copy, Debug)]
    pub enum Backend {
        Auth,
        Staging,
        Rsa,
    }

    /// Backends tried, in order, for core requests.
    pub const BACKENDS: &[BackendId<Backend>] = &[
        BackendId::Custom(Backend::Staging),
        BackendId::Custom(Backend::Auth),
        BackendId::Custom(Backend::Rsa),
        BackendId::Core,
    ];

    #[derive(Clone, Copy, Debug)]
    pub enum Extension {
        Auth = 0,
        WrapKeyToFile = 1,
        Chunked = 2,
    }

    impl From<Extension> for u8 {
        fn from(e: Extension) -> u8 {
            e as u8
        }
    }

    impl TryFrom<u8> for Extension {
        type Error = Error;
        fn try_from(v: u8) -> Result<Self, Error> {
            match v {
                0 => Ok(Extension::Auth),
                1 => Ok(Extension::WrapKeyToFile),
                2 => Ok(Extension::Chunked),
                _ => Err(Error::InternalError),
            }
        }
    }

    impl ExtensionId<AuthExtension> for Dispatch {
        type Id = Extension;
        const ID: Extension = Extension::Auth;
    }
    impl ExtensionId<WrapKeyToFileExtension> for Dispatch {
        type Id = Extension;
        const ID: Extension = Extension::WrapKeyToFile;
    }
    impl ExtensionId<ChunkedExtension> for Dispatch {
        type Id = Extension;
        const ID: Extension = Extension::Chunked;
    }

    pub struct Dispatch {
        auth: AuthBackend,
        staging: StagingBackend,
    }

    #[derive(Default)]
    pub struct DispatchContext {
        auth: AuthContext,
        staging: StagingContext,
    }

    impl Dispatch {
        pub fn new() -> Dispatch {
            Dispatch {
                // A constant device key is acceptable for a test card.
                auth: AuthBackend::with_hw_key(Location::Internal, Bytes::from(b"intoto test card"), FilesystemLayout::V0),
                staging: StagingBackend::new(),
            }
        }
    }

    impl ExtensionDispatch for Dispatch {
        type BackendId = Backend;
        type Context = DispatchContext;
        type ExtensionId = Extension;

        fn core_request<P: Platform>(
            &mut self,
            backend: &Backend,
            ctx: &mut Context<DispatchContext>,
            request: &Request,
            resources: &mut ServiceResources<P>,
        ) -> Result<Reply, Error> {
            match backend {
                Backend::Auth => self.auth.request(&mut ctx.core, &mut ctx.backends.auth, request, resources),
                Backend::Staging => self.staging.request(&mut ctx.core, &mut ctx.backends.staging, request, resources),
                Backend::Rsa => SoftwareRsa.request(&mut ctx.core, &mut (), request, resources),
            }
        }

        fn extension_request<P: Platform>(
            &mut self,
            backend: &Backend,
            extension: &Extension,
            ctx: &mut Context<DispatchContext>,
            request: &request::SerdeExtension,
            resources: &mut ServiceResources<P>,
        ) -> Result<reply::SerdeExtension, Error> {
            match (backend, extension) {
                (Backend::Auth, Extension::Auth) => {
                    self.auth.extension_request_serialized(&mut ctx.core, &mut ctx.backends.auth, request, resources)
                }
                (Backend::Staging, Extension::WrapKeyToFile) => ExtensionImpl::<WrapKeyToFileExtension>::extension_request_serialized(
                    &mut self.staging,
                    &mut ctx.core,
                    &mut ctx.backends.staging,
                    request,
                    resources,
                ),
                (Backend::Staging, Extension::Chunked) => ExtensionImpl::<ChunkedExtension>::extension_request_serialized(
                    &mut self.staging,
                    &mut ctx.core,
                    &mut ctx.backends.staging,
                    request,
                    resources,
                ),
                _ => Err(Error::RequestNotAvailable),
            }
        }
    }
}

/// What vpcd talks to: assembles chained commands, hands out long
/// replies through GET RESPONSE (61xx), as a card with short APDUs does.
struct Card<C: opcard::Client> {
    app: opcard::Card<C>,
    pending: Option<Command<MAX>>,
    reply: heapless::Vec<u8, MAX>,
    offset: usize,
}

impl<C: opcard::Client> Card<C> {
    fn answer(&mut self, apdu: &[u8]) -> (Vec<u8>, Status) {
        let Ok(cmd) = Command::<MAX>::try_from(apdu) else {
            return (Vec::new(), Status::WrongLength);
        };
        if cmd.instruction() == Instruction::GetResponse {
            return self.chunk(cmd.expected());
        }
        let last = cmd.class().chain().last_or_only();
        let cmd = match self.pending.take() {
            None => cmd,
            Some(mut first) => {
                if first.extend_from_command(&cmd).is_err() {
                    return (Vec::new(), Status::WrongLength);
                }
                first
            }
        };
        if !last {
            self.pending = Some(cmd);
            return (Vec::new(), Status::Success);
        }
        self.reply.clear();
        self.offset = 0;
        match self.app.handle(cmd.as_view(), self.reply.as_mut_view()) {
            Ok(()) => self.chunk(cmd.expected()),
            Err(sw) => (Vec::new(), sw),
        }
    }

    fn chunk(&mut self, max: usize) -> (Vec<u8>, Status) {
        let end = (self.offset + max).min(self.reply.len());
        let out = self.reply[self.offset..end].to_vec();
        self.offset = end;
        let left = self.reply.len() - end;
        (out, if left == 0 { Status::Success } else { Status::MoreAvailable(u8::try_from(left).unwrap_or(0)) })
    }
}

impl<C: opcard::Client> vpicc::VSmartCard for Card<C> {
    fn power_off(&mut self) {
        self.app.reset();
    }
    fn reset(&mut self) {
        self.app.reset();
    }
    fn execute(&mut self, apdu: &[u8]) -> Vec<u8> {
        let (mut data, sw) = self.answer(apdu);
        data.extend_from_slice(&<[u8; 2]>::from(sw));
        data
    }
}

fn main() -> ExitCode {
    let mut port = vpicc::DEFAULT_PORT;
    let mut serial = [0x00, 0x00, 0x1a, 0x70];
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        match (pair[0].as_str(), pair.get(1)) {
            ("--port", Some(p)) => port = p.parse().expect("--port: a number"),
            ("--serial", Some(s)) => serial = u32::from_str_radix(s, 16).expect("--serial: 8 hex digits").to_be_bytes(),
            _ => {
                eprintln!("usage: intoto-test-card [--port PORT] [--serial HEX]");
                return ExitCode::from(2);
            }
        }
    }
    // pcscd may still be loading the vpcd driver.
    let start = Instant::now();
    let conn = loop {
        match vpicc::connect_socket(format!("127.0.0.1:{port}")) {
            Ok(c) => break c,
            Err(e) if start.elapsed() > Duration::from_secs(15) => {
                eprintln!("intoto-test-card: no vpcd on port {port}: {e}");
                return ExitCode::FAILURE;
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    let ended = trussed::virt::with_platform(trussed::virt::StoreConfig::ram(), |platform| {
        platform.run_client_with_backends("opcard", platform::Dispatch::new(), platform::BACKENDS, |client| {
            let mut options = opcard::Options::default();
            options.serial = serial;
            // Manufacturer 0 is listed by GnuPG as "test card".
            options.manufacturer = [0, 0];
            let mut card = Card { app: opcard::Card::new(client, options), pending: None, reply: heapless::Vec::new(), offset: 0 };
            conn.run(&mut card)
        })
    });
    if let Err(e) = ended {
        eprintln!("intoto-test-card: reader closed ({e})");
    }
    ExitCode::SUCCESS
}
