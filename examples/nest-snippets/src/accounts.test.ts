import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Test } from '@nestjs/testing';
import { TxmqTestingHandle, TxmqTestingModule } from '@txmq/nest/testing';
import { AccountsService } from './accounts.service.js';
import { createTables } from './database.js';
import { PointsConsumer } from './points.consumer.js';

test('a registration grants 100 welcome points', async () => {
  const moduleRef = await Test.createTestingModule({
    imports: [TxmqTestingModule.forRoot({ setup: createTables })],
    providers: [AccountsService, PointsConsumer],
  }).compile();
  try {
    await moduleRef.init();
    const accountId = await moduleRef.get(AccountsService).register('ada@example.com');
    const txmq = moduleRef.get(TxmqTestingHandle);
    await txmq.waitUntilConsumed({ topic: 'user-registered', group: 'points' });
    const points = await txmq.db.selectFrom('points').selectAll().execute();
    assert.deepEqual(points, [{ account_id: accountId, amount: 100 }]);
  } finally {
    await moduleRef.close();
  }
});
