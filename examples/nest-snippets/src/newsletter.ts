import { Inject, Injectable, Module } from '@nestjs/common';
import { ClientsModule, type ClientProxy } from '@nestjs/microservices';
import { TxmqClient, type TxmqEmitResult } from '@txmq/nest';
import { lastValueFrom } from 'rxjs';

@Injectable()
export class Newsletter {
  constructor(@Inject('EVENTS') private readonly events: ClientProxy) {}

  /** Publishes at once, outside any transaction; resolves when the broker has stored it. */
  subscribe(email: string): Promise<TxmqEmitResult> {
    return lastValueFrom(this.events.emit<TxmqEmitResult>('newsletter-subscribed', { email }));
  }
}

@Module({
  imports: [
    ClientsModule.register([{ name: 'EVENTS', customClass: TxmqClient, options: { endpoints: process.env.TXMQ_ENDPOINTS ?? '127.0.0.1:8081' } }]),
  ],
  providers: [Newsletter],
  exports: [Newsletter],
})
export class NewsletterModule {}
