//! The intent-router node: `letan-nlu` on the transcripts, for ROS 2 consumers that want the
//! understanding on its own (the dialog node embeds the same router and does not need this one).
//!
//! | direction | topic (default, relative: remap with `-r`) | type |
//! |---|---|---|
//! | in | `transcript` (final results only) | letan_interfaces/Transcript |
//! | out | `intent` | letan_interfaces/Intent (intent, destination, requested language, confidence, alternatives) |
//! | out | `nlu/answer` (`answer_topic: ""` = none) | letan_interfaces/SayRequest with the spoken answer |
//!
//! It polls `kb_dir` every `reload_period_s` and swaps in a changed knowledge base only when it is
//! valid; an invalid change is logged and the previous one stays in service.
use crate::common::{kb_files, repo_root, resolve, start, NodeArgs, NodesError};
use letan_msgs::letan_interfaces::{Intent as IntentMsg, SayRequest, Transcript};
use letan_nlu::node::{intent_message, say_message, RouterParams};
use letan_nlu::{ReloadOutcome, Reloader};
use letan_transport::{Context, Qos, Rate};
use std::future::Future;

/// Run the intent router until `shutdown`.
pub async fn run(
    ctx: Context,
    args: NodeArgs,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NodesError> {
    let (node, p) = start::<RouterParams>(&ctx, &args, "intent_router", |p| {
        p.validate().map_err(|e| e.to_string())
    })?;
    let kb_dir = (!p.kb_dir.trim().is_empty()).then(|| resolve(&repo_root(), &p.kb_dir));
    let mut reloader = Reloader::new(
        kb_files(kb_dir.as_deref()).map_err(|e| NodesError::node(&node, e))?,
        p.nlu_config(),
    )
    .map_err(|e| NodesError::node(&node, format!("knowledge base: {e}")))?;
    let transcripts = node.subscribe::<Transcript>(&p.transcript_topic, Qos::commands())?;
    let intents = node.publisher::<IntentMsg>(&p.intent_topic, Qos::commands())?;
    let answers = if p.answer_topic.is_empty() {
        None
    } else {
        Some(node.publisher::<SayRequest>(&p.answer_topic, Qos::commands())?)
    };
    let mut rate = Rate::new(node.clock(), 1.0 / p.reload_period_s);
    tracing::info!(kb = ?kb_dir, topic = %p.transcript_topic, "intent router ready");
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            msg = transcripts.recv() => {
                let Some(t) = msg else { break };
                if !t.is_final || t.text.trim().is_empty() {
                    continue;
                }
                let nlu = reloader.nlu();
                let u = nlu.understand(&t.text);
                tracing::debug!(text = ?t.text, intent = %u.intent, confidence = u.confidence, "understood");
                intents.publish(intent_message(&u, &t.text, t.header.clone()))?;
                if let Some(out) = &answers {
                    out.publish(say_message(&nlu.answer(&u), &u, t.header.clone()))?;
                }
            }
            _ = rate.tick() => {
                let Some(dir) = &kb_dir else { continue };
                match kb_files(Some(dir)) {
                    Ok(files) => {
                        if let ReloadOutcome::Rejected(e) = reloader.offer(files) {
                            tracing::warn!(error = %e, "invalid knowledge base; still using the previous one");
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot read the knowledge base; still using the previous one"),
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn transcript_in_intent_and_answer_out_and_a_bad_kb_change_keeps_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in letan_nlu::kb::EMBEDDED {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let params = dir.path().join("router.yaml");
        std::fs::write(
            &params,
            format!(
                "intent_router:\n  ros__parameters:\n    kb_dir: {:?}\n    reload_period_s: 0.1\n",
                dir.path().display().to_string()
            ),
        )
        .unwrap();
        let ctx = Context::bus();
        let peer = ctx.node("peer", "/").unwrap();
        let tx = peer
            .publisher::<Transcript>("transcript", Qos::commands())
            .unwrap();
        let rx = peer
            .subscribe::<IntentMsg>("intent", Qos::commands())
            .unwrap();
        let say = peer
            .subscribe::<SayRequest>("nlu/answer", Qos::commands())
            .unwrap();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let args = NodeArgs {
            params_files: vec![params],
            ..NodeArgs::default()
        };
        let task = tokio::spawn(run(ctx.clone(), args, async {
            let _ = stop_rx.await;
        }));
        let ask = |text: &str| Transcript {
            text: text.into(),
            is_final: true,
            ..Transcript::default()
        };
        tokio::time::sleep(Duration::from_millis(500)).await;
        tx.publish(ask("dẫn tôi đến quầy số bảy")).unwrap();
        let m = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(m.intent_id, "nav.guide");
        assert_eq!(m.destination, "counter_7");
        let s = tokio::time::timeout(Duration::from_secs(10), say.recv())
            .await
            .unwrap()
            .unwrap();
        assert!(s.text.contains("Quầy số 7"), "{}", s.text);
        // Partials are not routed.
        tx.publish(Transcript {
            is_final: false,
            ..ask("quầy số bảy")
        })
        .unwrap();
        // Break a knowledge-base file: the router keeps answering from the old one.
        let first = dir.path().join(letan_nlu::kb::EMBEDDED[0].0);
        std::fs::write(&first, "intents: [this is: not valid").unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        tx.publish(ask("wifi password please")).unwrap();
        let m = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(m.intent_id, "amenity.wifi", "{m:?}");
        assert!(
            !task.is_finished(),
            "the router must survive a bad knowledge base"
        );
        let _ = stop_tx.send(());
        task.await.unwrap().unwrap();
    }
}
